"""The approvals console at /console on the HTTP transport: sign in, approve or deny, review the audit.

Server-rendered (Starlette + Jinja2, autoescaped), no script at all, everything served by the package.
Off unless operators are configured (ADOPS_CONSOLE_TOKENS / ADOPS_CONSOLE_TOKENS_FILE). Deciding an
action here is the same store decision `adops-mcp approve` makes: the waiting `confirm_action` honours
it on any replica sharing the store.

Modules: app (Starlette app, routes, page wrapper), auth (operators, sessions, CSRF, Origin/Host),
views (what the templates show).
"""

from .app import Console, build_console

__all__ = ["Console", "build_console"]
