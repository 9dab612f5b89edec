"""The vendor HTTP layer: one `VendorClient` per configured vendor account.

Transport concerns live here so each operation stays a few lines: base URL joining, auth headers
(static or a single-flight token cache), one time budget per tool call (`call_budget`, ADOPS_TIMEOUT: every
attempt, retry wait and wait for a slot counts), a per-vendor concurrency limit,
retries with exponential backoff + jitter that honour `Retry-After` (reads only; a write is retried
only when the connection never opened, so it cannot have reached the vendor), and one error type
with short, actionable, credential-free messages.
"""

from __future__ import annotations

import email.utils
import functools
import json
import logging
import random
import re
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx2

from . import secrets
from .messages import connect_cause, generic_detail, not_found
from .observe import Exchange, Observer
from .sanitize import clean, clean_text

log = logging.getLogger("adops_mcp.http")

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
MIN_REQUEST_TIME = 0.05  # seconds of budget (at most a tenth of it) a request must have left to be sent
RETRY_AFTER_CAP = 30.0  # seconds; a vendor asking for longer gets an error the model can act on


class VendorError(Exception):
    """A vendor call that did not succeed. `message` is safe to show: scrubbed and short.

    `outcome` says what is known about a write: "failed" (the vendor refused it) or "unknown"
    (it may have been applied: timeout or connection loss after sending, or a 5xx answer).
    """

    def __init__(
        self,
        vendor: str,
        message: str,
        *,
        status: int | None = None,
        outcome: str = "failed",
        body: Any = None,
    ) -> None:
        self.vendor = vendor
        self.status = status
        self.outcome = outcome
        self.body = body
        super().__init__(secrets.scrub(message))

    @property
    def message(self) -> str:
        return str(self)

    @property
    def not_an_api_answer(self) -> bool:
        """A non-empty answer that is not JSON (an HTML or text page): whoever answered is not the vendor's
        API (a wrong base URL), so fallbacks meant for the vendor's own 404 do not apply."""
        return isinstance(self.body, str) and bool(self.body.strip())


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date); None if unusable."""
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):  # since 3.10 an unparsable date raises, never returns None
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


class _Retryable(Exception):
    def __init__(self, response: httpx2.Response) -> None:
        self.response = response


class _TooLarge(Exception):
    def __init__(self, response: httpx2.Response) -> None:
        self.response = response


@dataclass
class TokenCache:
    """A bearer-style token minted by `fetch`, refreshed ahead of expiry, single-flight.

    `fetch` returns (token, expires_at epoch seconds). Many callers at expiry share one fetch.
    """

    fetch: Callable[[], Awaitable[tuple[str, float]]]
    refresh_margin: float = 300.0
    clock: Callable[[], float] = time.time
    _token: str | None = None
    _expires_at: float = 0.0
    _lock: anyio.Lock = field(default_factory=anyio.Lock)
    mints: int = 0

    async def get(self) -> str:
        if self._valid():
            assert self._token is not None
            return self._token
        async with self._lock:
            if not self._valid():
                token, expires_at = await self.fetch()
                secrets.register(token, owner=self)  # the current token and the one before
                self._token, self._expires_at = token, expires_at
                self.mints += 1
            assert self._token is not None
            return self._token

    def invalidate(self, token: str) -> None:
        """Drop `token` (the vendor refused it); a newer token minted meanwhile is kept."""
        if self._token == token:
            self._token, self._expires_at = None, 0.0

    def _valid(self) -> bool:
        return self._token is not None and self.clock() < self._expires_at - self.refresh_margin


@dataclass
class Auth:
    """How a vendor authenticates. Static headers/query, or a token cache and the status that
    means "your token is no longer good" (refresh once, then report)."""

    headers: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)
    token: TokenCache | None = None
    token_header: str = "Authorization"
    token_format: str = "Bearer {token}"
    refresh_on: int | None = None


ErrorMessage = Callable[[httpx2.Response, Any], str | None]


@dataclass
class Budget:
    """The time one tool call may take, from when it started: every attempt, retry wait and slot wait."""

    seconds: float
    deadline: float = field(init=False)

    def __post_init__(self) -> None:
        self.deadline = time.monotonic() + self.seconds

    def remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())


_budget: ContextVar[Budget | None] = ContextVar("adops_call_budget", default=None)


@contextmanager
def call_budget(seconds: float) -> Iterator[Budget]:
    """Every vendor request made inside shares this budget (ADOPS_TIMEOUT); a budget already running is kept."""
    current = _budget.get()
    if current is not None:
        yield current
        return
    budget = Budget(seconds)
    token = _budget.set(budget)
    try:
        yield budget
    finally:
        _budget.reset(token)


def wait_bound(wanted: float) -> float:
    """How long a polling tool may keep waiting: its own bound, within what is left of the call's budget
    (keeping a fifth of it, at most 5 s, for the last poll and the answer)."""
    current = _budget.get()
    if current is None:
        return wanted
    return min(wanted, current.remaining() - min(5.0, current.seconds / 5))


@dataclass
class VendorRequest:
    """One logical vendor call, and how far it got (for an honest message when time runs out)."""

    method: str
    path: str
    read: bool
    params: Mapping[str, Any] | None = None
    json_body: Any = None
    form: Mapping[str, str] | None = None
    headers: Mapping[str, str] | None = None
    authenticated: bool = True
    waiting_for_slot: bool = False
    sent: bool = False
    attempts: int = 0  # HTTP requests sent for it so far (retries, a token refresh)


class VendorClient:
    def __init__(
        self,
        vendor: str,
        base_url: str,
        auth: Auth,
        *,
        transport: httpx2.AsyncBaseTransport | None = None,
        timeout: float = 30.0,
        max_concurrency: int = 8,
        read_attempts: int = 4,
        retry_wait: float = 0.25,
        describe_error: ErrorMessage | None = None,
        auth_hint: str = "",
        forbidden_hint: str = "",
        max_response_bytes: int = 2 * 1_048_576,
        observer: Observer | None = None,
    ) -> None:
        self.vendor = vendor
        self.observer = observer
        self.base_url = base_url.rstrip("/")
        self.auth = auth
        self.timeout = timeout
        self.read_attempts = read_attempts
        self.retry_wait = retry_wait
        self.describe_error = describe_error
        self.auth_hint = auth_hint
        self.forbidden_hint = forbidden_hint  # what the vendor's document says a 403 means
        # "METHOD template" (or a template, for every method) -> the setting that changes it, for every path the
        # vendor's document does not give (a guess): a 404 there names the setting, not only the ids.
        self.path_settings: dict[str, str] = {}
        self.max_response_bytes = max_response_bytes
        self.limit = anyio.CapacityLimiter(max_concurrency)
        self.in_flight = 0
        self.max_in_flight = 0
        self._transport = transport

    @functools.cached_property
    def http(self) -> httpx2.AsyncClient:
        """Opened on the first request: an HTTPS client loads the CA bundle, which start-up need not pay for."""
        return httpx2.AsyncClient(
            transport=self._transport, timeout=httpx2.Timeout(self.timeout), follow_redirects=False
        )

    async def aclose(self) -> None:
        if "http" in self.__dict__:
            await self.http.aclose()

    def url(self, path: str) -> str:
        # Keep any path the base URL already has: http://h/prefix + /v1/x = http://h/prefix/v1/x.
        return self.base_url + "/" + path.lstrip("/")

    async def request(
        self,
        method: str,
        path: str,
        *,
        read: bool,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        authenticated: bool = True,
        ok_statuses: frozenset[int] = frozenset(),
    ) -> httpx2.Response:
        """Send one logical call within the tool call's budget (`call_budget`; else `timeout` for this call).
        Reads retry transient failures; writes are sent at most once (except when the connection never
        opened). Raises VendorError on failure, also when the budget runs out."""
        call = VendorRequest(method, path, read, params, json_body, form, headers, authenticated)
        budget = _budget.get() or Budget(self.timeout)
        try:
            with anyio.fail_after(budget.remaining()):  # every attempt and wait: the retries end with the budget
                response = await self._attempts(call, budget)
        except TimeoutError:
            raise self._out_of_time(call, budget) from None
        except _Retryable as exc:
            response = exc.response
        except _TooLarge as exc:
            raise self._too_large(exc.response, method, path, read) from None
        except (httpx2.TimeoutException, httpx2.NetworkError, httpx2.RemoteProtocolError) as exc:
            raise self._transport_error(exc, method, path, read) from None
        except (httpx2.InvalidURL, UnicodeError) as exc:
            # Raised while building the request (a control character in a path, a non-ASCII header):
            # nothing left the process.
            raise VendorError(
                self.vendor,
                f"{self.vendor} request not sent: an argument has characters the vendor's API cannot carry "
                f"({type(exc).__name__}). Nothing was sent; check the ids.",
            ) from None
        if response.is_success or response.status_code in ok_statuses:
            return response
        raise self.error_for(response, read=read)

    async def _attempts(self, call: VendorRequest, budget: Budget) -> httpx2.Response:
        """Send until an answer is final: a transient failure of a read (or a connection that never opened)
        is tried again, up to `read_attempts`, after the wait the hook picks (and logs)."""
        retry = self._backoff_hook(call.read)
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await self._send_refreshing(call, budget)
                if call.read and response.status_code in RETRY_STATUSES:
                    raise _Retryable(response)
                return response
            except Exception as exc:
                wait = retry(exc) if attempt < self.read_attempts else False
                if wait is False:
                    raise
                await anyio.sleep(wait)

    def _backoff_hook(self, read: bool) -> Callable[[BaseException], bool | float]:
        attempts = [0]

        def decide(exc: BaseException) -> bool | float:
            if isinstance(exc, httpx2.ConnectError | httpx2.ConnectTimeout):
                return True  # never reached the vendor: safe for writes too
            if not read:
                return False
            if isinstance(exc, httpx2.TimeoutException | httpx2.NetworkError | httpx2.RemoteProtocolError):
                return True
            if isinstance(exc, _Retryable):
                wait = parse_retry_after(exc.response.headers.get("Retry-After"))
                if wait is None:
                    return True
                if wait > RETRY_AFTER_CAP:
                    return False  # report it instead of stalling the conversation
                return wait
            return False

        def hook(exc: BaseException) -> bool | float:
            attempts[0] += 1
            decision = decide(exc)
            if decision is False or attempts[0] >= self.read_attempts:  # the last try: no retry to announce
                return False
            # Exponential (capped at 10 s) with jitter, or the vendor's Retry-After: chosen here so the log can say it.
            wait = decision if decision is not True else min(10.0, self.retry_wait * 2 ** (attempts[0] - 1))
            wait += random.uniform(0, self.retry_wait) if decision is True else 0.0
            request = _request_of(exc.response if isinstance(exc, _Retryable) else exc)
            method, path = (request.method, request.url.path) if request is not None else ("?", "?")
            why = f"status {exc.response.status_code}" if isinstance(exc, _Retryable) else type(exc).__name__
            log.warning(
                "%s %s %s: attempt %d failed (%s); retrying in %.2f s",
                self.vendor,
                method,
                self.template_of(path),
                attempts[0],
                why,
                wait,
            )
            return wait

        return hook

    templates: tuple[str, ...] = ()  # the vendor's path templates (tools/vendor.py), for logs and errors

    @property
    def base_url_setting(self) -> str:
        """The setting an operator fixes when the host is wrong (ADOPS_DELTA_BASE_URL for deltaprojects)."""
        return f"ADOPS_{self.vendor.replace('deltaprojects', 'delta').upper()}_BASE_URL"

    def template_of(self, path: str) -> str:
        """The path template a sent path was filled from (ids stay out of log lines), else `{path}` (unknown)."""
        prefix = httpx2.URL(self.base_url).path.rstrip("/")
        relative = path[len(prefix) :] if prefix and path.startswith(prefix) else path
        for template in self.templates:
            if _template_pattern(template).fullmatch(relative):
                return template
        return "{path}"

    async def _send_refreshing(self, call: VendorRequest, budget: Budget) -> httpx2.Response:
        token = await self.auth.token.get() if call.authenticated and self.auth.token else None
        response = await self._send(call, budget, token)
        if token is not None and response.status_code == self.auth.refresh_on:
            assert self.auth.token is not None
            self.auth.token.invalidate(token)
            token = await self.auth.token.get()
            response = await self._send(call, budget, token)
        return response

    async def _send(self, call: VendorRequest, budget: Budget, token: str | None) -> httpx2.Response:
        all_headers: dict[str, str] = {"Accept": "application/json", "User-Agent": "adops-mcp"}
        query: dict[str, Any] = {k: v for k, v in (call.params or {}).items() if v is not None}
        if call.authenticated:
            all_headers.update(self.auth.headers)
            query.update(self.auth.query)
            if token is not None:
                all_headers[self.auth.token_header] = self.auth.token_format.format(token=token)
        all_headers.update(call.headers or {})
        call.waiting_for_slot = True
        async with self.limit:
            if budget.remaining() < min(MIN_REQUEST_TIME, budget.seconds / 10):
                # The slot came too late for the request to finish: send nothing (a write sent now would only
                # end as "outcome unknown"); this call ran out while waiting for a slot.
                raise TimeoutError
            call.waiting_for_slot = False
            call.sent = True  # from here on, a write may reach the vendor
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            call.attempts += 1
            try:
                request = self.http.build_request(
                    call.method,
                    self.url(call.path),
                    params=query or None,
                    json=call.json_body,
                    data=call.form,
                    headers=all_headers,
                    timeout=httpx2.Timeout(max(budget.remaining(), 0.001)),
                )
                with self._observed(call) as exchange:
                    response = await self.http.send(request, stream=True)
                    exchange.status = response.status_code
                    try:
                        await self._read_bounded(response)
                    finally:
                        await response.aclose()
            except (httpx2.ConnectError, httpx2.ConnectTimeout):
                call.sent = False  # the connection never opened: nothing reached the vendor
                raise
            finally:
                self.in_flight -= 1
        log.info("%s %s %s -> %s", self.vendor, call.method, call.path, response.status_code)
        return response

    @contextmanager
    def _observed(self, call: VendorRequest) -> Iterator[Exchange]:
        exchange = Exchange(self.vendor, call.method, "", call.attempts)
        if self.observer is None:
            yield exchange
            return
        exchange.template = self.template_of(call.path)
        with self.observer.exchange(exchange):
            yield exchange

    async def _read_bounded(self, response: httpx2.Response) -> None:
        """Read the (decoded) body, stopping as soon as it passes max_response_bytes."""
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_response_bytes:
            raise _TooLarge(response)
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > self.max_response_bytes:
                raise _TooLarge(response)
        response._content = bytes(body)  # what .read() would have stored: .json()/.text work as usual

    def _too_large(self, response: httpx2.Response, method: str, path: str, read: bool) -> VendorError:
        limit = f"{self.max_response_bytes / 1_048_576:g} MiB"
        message = (
            f"{self.vendor} answered {method} {path} (status {response.status_code}) with more than {limit}; "
            f"the answer was not read (limit ADOPS_MAX_RESPONSE_BYTES)."
        )
        if read:
            message += " Nothing was changed; narrow the request (a smaller page or a filter)."
        else:
            message += " The change may or may not have been applied: read the current state before retrying."
        return VendorError(self.vendor, message, status=response.status_code, outcome="failed" if read else "unknown")

    def _out_of_time(self, call: VendorRequest, budget: Budget) -> VendorError:
        where = f"({call.method} {call.path})"
        message = (
            f"{self.vendor} did not answer in time: this call's {budget.seconds:g} s budget (ADOPS_TIMEOUT) ran out"
        )
        if call.waiting_for_slot:
            message += f" while waiting for a free request slot (ADOPS_MAX_CONCURRENCY) {where}"
        else:
            message += f" {where}"
        if call.read or not call.sent:
            return VendorError(self.vendor, message + ". Nothing was changed; try again later.")
        message += ". The change may or may not have been applied: read the current state before retrying."
        return VendorError(self.vendor, message, outcome="unknown")

    def _transport_error(self, exc: Exception, method: str, path: str, read: bool) -> VendorError:
        never_sent = isinstance(exc, httpx2.ConnectError | httpx2.ConnectTimeout)
        what = (
            "could not be reached"
            if never_sent
            else "did not answer in time"
            if isinstance(exc, httpx2.TimeoutException)
            else "dropped the connection"
        )
        # The address goes to the operator's log, not into the message a model sees (it may be an internal host).
        address = secrets.hide_userinfo(self.base_url)
        log.warning("%s %s %s at %s: %s", self.vendor, method, self.template_of(path), address, type(exc).__name__)
        if never_sent:
            what += f" ({connect_cause(exc)}; the operator should check {self.base_url_setting} and the network)"
        message = f"{self.vendor} {what} ({method} {self.template_of(path)})."
        if read or never_sent:
            message += " Nothing was changed; try again later."
            outcome = "failed"
        else:
            message += " The change may or may not have been applied: read the current state before retrying."
            outcome = "unknown"
        return VendorError(self.vendor, message, outcome=outcome)

    def error_for(self, response: httpx2.Response, *, read: bool) -> VendorError:
        status = response.status_code
        try:
            body: Any = clean(response.json())
        except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
            body = clean_text(response.text, 500) if response.text else None  # scrubbed, then cut
        detail = self.describe_error(response, body) if self.describe_error else None
        if detail is None:
            detail = generic_detail(body)
        detail = clean_text(detail, 300) if detail else ""
        name = self.vendor
        if status == 401:
            message = f"{name} rejected the credentials (401). {self.auth_hint}".strip()
        elif status == 403:
            message = (
                self.forbidden_hint
                or f"{name} refused access (403): the credentials lack permission for this account or action."
            )
        elif status == 404:
            message = self._not_found(response, body)
        elif status == 429:
            message = f"{name} is rate limiting requests (429); wait a minute and try again."
        elif status >= 500:
            message = f"{name} had a server error ({status})."
        else:
            message = f"{name} rejected the request ({status})."
        if detail:
            message += f" Vendor says: {detail}"
        outcome = "unknown" if (status >= 500 and not read) else "failed"
        if outcome == "unknown":
            message += " The change may or may not have been applied: read the current state before retrying."
        return VendorError(self.vendor, message, status=status, outcome=outcome, body=body)

    def _not_found(self, response: httpx2.Response, body: Any) -> str:
        request = _request_of(response)
        template = self.template_of(request.url.path) if request is not None else "{path}"
        method = request.method if request is not None else ""
        setting = self.path_settings.get(f"{method} {template}") or self.path_settings.get(template)
        # The base URL's value is the operator's (their log, `adops-mcp doctor`), never the model's: the setting only.
        return not_found(self.vendor, f"the base URL ({self.base_url_setting})", method, template, setting, body)


def _request_of(thing: Any) -> httpx2.Request | None:
    try:
        request: httpx2.Request = thing.request
        return request
    except (RuntimeError, AttributeError):
        return None


@functools.cache
def _template_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"{\w+}", template)
    return re.compile("[^/]+".join(re.escape(p) for p in parts))
