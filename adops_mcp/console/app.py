"""The approvals console's Starlette app: its routes, the signed-in page wrapper, and build_console.

Server-rendered (Starlette + Jinja2, autoescaped), no script at all, everything served by the package.
Off unless operators are configured (ADOPS_CONSOLE_TOKENS / ADOPS_CONSOLE_TOKENS_FILE). Deciding an
action here is the same store decision `adops-mcp approve` makes: the waiting `confirm_action` honours
it on any replica sharing the store.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from mcp.server.mcpserver.exceptions import ToolError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from ..server import approvals, webhook
from ..server.changesets import request_set_approval
from ..server.guard import AlreadySo, load_key
from ..server.http_app import transport_security
from ..server.policy import names
from ..server.runtime import Runtime
from ..server.store import StoreUnavailable, profile_of
from ..server.undo import has_inverse, plan_undo
from . import pending, views
from .auth import (
    LOGIN_COOKIE,
    PATH,
    SESSION_COOKIE,
    Auth,
    Session,
    SigninLimiter,
    clear_cookie,
    host_allowed,
    load_operators,
    new_login_nonce,
    same_origin,
    same_token,
    set_cookie,
)

HERE = Path(__file__).parent
NOTE_LIMIT = 500
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'",
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cache-control": "no-store",
}
T = TypeVar("T")


class Console:
    """The console's routes around one runtime (settings, store, operations)."""

    def __init__(self, runtime: Runtime, operators: dict[str, str], allowed_hosts: list[str]) -> None:
        settings = runtime.settings
        key = load_key(settings.confirm_key.get_secret_value() if settings.confirm_key else None, settings.data_dir)
        self.runtime = runtime
        self.auth = Auth(operators=operators, key=key, ttl=settings.console_session_ttl)
        self.limiter = SigninLimiter()
        self.allowed_hosts = allowed_hosts
        self.trusted_origins = names(settings.allowed_origins)
        env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True))
        env.filters["clean"] = views.safe_text
        env.globals.update(stamp=views.stamp, prefix=PATH)
        self.templates = Jinja2Templates(env=env)

    async def store(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """One store call (off the event loop, bounded by ADOPS_STORE_TIMEOUT); 503 when the store is unavailable."""
        try:
            return await fn(*args, **kwargs)
        except StoreUnavailable:
            raise HTTPException(503, "The shared state store is unavailable; try again shortly.") from None

    def app(self) -> Starlette:
        page = self.page
        routes = [
            Route(PATH, lambda r: RedirectResponse(PATH + "/", 307)),
            Route(PATH + "/", page(self.pending_page)),
            Route(PATH + "/signin", self.signin_page, methods=["GET"]),
            Route(PATH + "/signin", self.signin, methods=["POST"]),
            Route(PATH + "/signout", page(self.signout, post=True), methods=["POST"]),
            Route(PATH + "/actions/{action_id}", page(self.decide, post=True), methods=["POST"]),
            Route(PATH + "/audit", page(self.audit_page)),
            Route(PATH + "/audit/{audit_id}/undo", page(self.undo, post=True), methods=["POST"]),
            Route(PATH + "/audit.csv", page(self.audit_csv)),
            Route(PATH + "/spend", page(self.spend_page)),
            Route(PATH + "/config", page(self.config_page)),
            Mount(PATH + "/static", StaticFiles(directory=HERE / "static"), name="static"),
        ]
        return Starlette(routes=routes, middleware=[])

    # -- plumbing ---------------------------------------------------------------------------------
    def render(self, request: Request, name: str, status: int = 200, **context: Any) -> Response:
        response = self.templates.TemplateResponse(request, name, context, status_code=status)
        response.headers.update(SECURITY_HEADERS)
        return response

    def refuse(self, request: Request, message: str, session: Session | None = None) -> Response:
        return self.render(request, "refused.html", 403, message=message, session=session)

    def page(
        self, handler: Callable[[Request, Session], Awaitable[Response]], *, post: bool = False
    ) -> Callable[[Request], Awaitable[Response]]:
        """A page for signed-in operators; a POST also needs this host's Origin and the session's CSRF token."""

        async def endpoint(request: Request) -> Response:
            if not host_allowed(request.headers.get("host", ""), self.allowed_hosts):
                return self.refuse(request, "This host name is not one this server answers to.")
            session = self.auth.session(request.cookies.get(SESSION_COOKIE))
            if isinstance(session, Session) and await self.store(
                self.runtime.store.token_used, "console:" + session.sid
            ):
                session = "signed-out"
            if not isinstance(session, Session):
                if post:
                    return self.refuse(request, "You are not signed in (or your session ended). Nothing was changed.")
                response = RedirectResponse(f"{PATH}/signin" + ("?expired=1" if session == "expired" else ""), 303)
                if session != "missing":
                    clear_cookie(response, request, SESSION_COOKIE)
                return response
            if post:
                if not same_origin(request, self.trusted_origins):
                    return self.refuse(request, "This request did not come from this console. Nothing was changed.")
                form = await request.form()
                if not same_token(str(form.get("csrf", "")), session.csrf):
                    return self.refuse(request, "The form's security token is missing or wrong. Nothing was changed.")
            return await handler(request, session)

        return endpoint

    # -- sign-in ------------------------------------------------------------------------------------
    async def signin_page(self, request: Request, problem: str | None = None, status: int = 200) -> Response:
        if not host_allowed(request.headers.get("host", ""), self.allowed_hosts):
            return self.refuse(request, "This host name is not one this server answers to.")
        if problem is None and request.query_params.get("expired"):
            problem = "Your session expired. Sign in again."
        nonce = new_login_nonce()
        response = self.render(request, "signin.html", status, problem=problem, csrf=nonce, session=None)
        set_cookie(response, request, LOGIN_COOKIE, nonce, 600)
        return response

    async def signin(self, request: Request) -> Response:
        if not host_allowed(request.headers.get("host", ""), self.allowed_hosts) or not same_origin(
            request, self.trusted_origins
        ):
            return self.refuse(request, "This request did not come from this console.")
        address = request.client.host if request.client else "unknown"
        if wait := self.limiter.wait(address):
            response = await self.signin_page(
                request, f"Too many failed sign-ins from your address. Try again in {views.span(wait)}.", 429
            )
            response.headers["retry-after"] = str(int(wait))
            return response
        form = await request.form()
        if not same_token(str(form.get("csrf", "")), request.cookies.get(LOGIN_COOKIE)):
            return self.refuse(request, "The sign-in form's security token is missing or wrong. Reload the page.")
        operator = self.auth.operator_for(str(form.get("token", "")).strip())
        if operator is None:
            self.limiter.failed(address)
            return await self.signin_page(request, "That is not an operator token.", 401)
        response = RedirectResponse(PATH + "/", 303)
        set_cookie(response, request, SESSION_COOKIE, self.auth.issue(operator), self.auth.ttl)
        clear_cookie(response, request, LOGIN_COOKIE)
        return response

    async def signout(self, request: Request, session: Session) -> Response:
        await self.store(self.runtime.store.use_token, "console:" + session.sid, self.auth.expires_at())
        response = RedirectResponse(PATH + "/signin", 303)
        clear_cookie(response, request, SESSION_COOKIE)
        return response

    # -- pending approvals -------------------------------------------------------------------------
    async def pending_page(self, request: Request, session: Session) -> Response:
        now = time.time()
        store = self.runtime.store
        page = pending.page_number(request.query_params.get("page"))
        total = await self.store(store.count_pending)
        actions = await self.store(store.pending_actions, limit=pending.PAGE, offset=(page - 1) * pending.PAGE)
        votes = await self.store(store.approvals, *(a.id for a in actions))
        settings = self.runtime.settings
        waiting = [
            pending.pending_view(self.runtime, a, votes, session.operator, now, settings.console_four_eyes)
            for a in actions
        ]
        decided = await self.store(store.decided_actions, limit=20) if page == 1 else []
        return self.render(
            request,
            "pending.html",
            session=session,
            waiting=waiting,
            decided=decided,
            message=await self.outcome(request, session),
            mode=settings.confirm_mode,
            page=page,
            pages=max(1, -(-total // pending.PAGE)),
            total=total,
            shown_at=now,
            refresh=pending.REFRESH if not waiting else None,
            tab="pending",
        )

    async def outcome(self, request: Request, session: Session) -> str | None:
        """After a decision's redirect (`?done=<id>`): what it did, read back from the store (never from the URL)."""
        action_id = request.query_params.get("done", "")
        if not action_id or len(action_id) > 64:
            return None
        action = await self.store(self.runtime.store.pending, action_id)
        if action is None:
            return None
        votes = await self.store(self.runtime.store.approvals, action_id)
        return pending.outcome_message(self.runtime, action, votes, session.operator)

    async def decide(self, request: Request, session: Session) -> Response:
        form = await request.form()
        action_id = request.path_params["action_id"]
        decision = form.get("decision")
        note = str(form.get("note", "")).strip()[:NOTE_LIMIT] or None
        if decision not in ("approve", "deny"):
            return self.refuse(request, "Choose Approve or Deny. Nothing was changed.", session)
        runtime = self.runtime
        result = await self.store(
            approvals.decide,
            runtime.store,
            runtime.tokens.key,
            action_id,
            decision == "approve",
            session.operator,
            note,
            four_eyes=runtime.settings.console_four_eyes,
        )
        if not result.recorded or result.action is None:
            return self.refuse(request, result.message, session)
        if result.final:
            webhook.notify(runtime.settings, "approval_decided", result.action)
        else:
            webhook.notify(runtime.settings, "approval_recorded", result.action, by=session.operator)
        # Post/redirect/get: a reload shows the outcome again and never posts the decision twice.
        return RedirectResponse(f"{PATH}/?{urlencode({'done': action_id})}#outcome", 303)

    # -- audit, spend, configuration ------------------------------------------------------------------
    async def audit_records(self, request: Request, limit: int) -> tuple[dict[str, str], list[Any]]:
        filters = {k: request.query_params.get(k, "") for k in views.AUDIT_FILTERS}
        records = await self.store(self.runtime.store.audit, limit=limit, **views.audit_query(filters))
        return filters, records

    async def audit_page(self, request: Request, session: Session) -> Response:
        filters, records = await self.audit_records(request, 200)
        plans = await self.store(views.approved_plans, self.runtime, records)
        rows = [
            {
                "record": r,
                "request": views.exact_request(self.runtime, r.tool, r.arguments, profile_of(r.account)).split("\n")[0],
                "before_after": views.before_after(r),
                "plan": plans.get(r.id),
                "settle": views.settling_read(self.runtime, r) if r.status == "unknown" else None,
                "undo": has_inverse(self.runtime, r),
            }
            for r in records
        ]
        vendors = sorted({op.vendor for op in self.runtime.operations.values()})
        tools = sorted(n for n, op in self.runtime.operations.items() if op.effect != "read")
        query = urlencode({k: v for k, v in filters.items() if v})
        return self.render(
            request,
            "audit.html",
            session=session,
            rows=rows,
            filters=filters,
            vendors=vendors,
            tools=tools,
            outcomes=views.OUTCOMES,
            csv_query=query,
            tab="audit",
        )

    async def undo(self, request: Request, session: Session) -> Response:
        """ "Undo" on an audit row: the undo becomes a pending change (approved like any other; the assistant
        performs it with adops_undo and confirm_action). The console never performs it itself."""
        audit_id = request.path_params["audit_id"]
        if not audit_id.isdigit():
            return self.refuse(request, "No such audit record. Nothing was changed.", session)
        try:
            plan = await self.store(plan_undo, self.runtime, int(audit_id), None)
        except ToolError as exc:
            return self.refuse(request, str(exc), session)
        if isinstance(plan, AlreadySo):
            return self.render(request, "refused.html", 200, message=plan.message, session=session)
        action = await self.store(request_set_approval, self.runtime, plan, session.operator)
        # Post/redirect/get, like a decision: the list shows the undo waiting for approval.
        return RedirectResponse(f"{PATH}/?{urlencode({'done': action.id})}#outcome", 303)

    async def audit_csv(self, request: Request, session: Session) -> Response:
        _, records = await self.audit_records(request, 100_000)
        day = time.strftime("%Y%m%d", time.gmtime())
        return Response(
            views.audit_csv(self.runtime, records),
            media_type="text/csv; charset=utf-8",
            headers={**SECURITY_HEADERS, "content-disposition": f'attachment; filename="adops-audit-{day}.csv"'},
        )

    async def spend_page(self, request: Request, session: Session) -> Response:
        rows, midnight = await self.store(views.spend_today, self.runtime, time.time())
        settings = self.runtime.settings
        return self.render(
            request,
            "spend.html",
            session=session,
            rows=rows,
            since=midnight,
            max_budget=settings.max_budget,
            max_increase=settings.max_budget_increase,
            tab="spend",
        )

    async def config_page(self, request: Request, session: Session) -> Response:
        data = views.config_view(self.runtime, sorted(self.auth.operators))
        return self.render(request, "config.html", session=session, tab="config", **data)


def build_console(runtime: Runtime, host: str) -> Starlette | None:
    """The console app for a server bound to `host` (for build_http_app), or None when no operator is
    configured (the console is off). It answers the same Host names as the MCP endpoint."""
    operators = load_operators(runtime.settings)
    if not operators:
        return None
    allowed_hosts = transport_security(runtime.settings, host).allowed_hosts
    return Console(runtime, operators, list(allowed_hosts)).app()
