"""The `adops-mcp` command (INTERFACE.md): serve, demo, sandbox, tools, audit, doctor, pending/approve/deny."""

from __future__ import annotations

import json
import os
import shlex
import sys
import textwrap
from collections.abc import Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from . import __version__

if TYPE_CHECKING:  # each command imports what it needs: `adops-mcp --help` stays light
    from .config import Settings

T = TypeVar("T")

NO_VENDOR = """\
No vendor is configured, so there is nothing to serve.

Configure at least one vendor with environment variables, for example:
  ADOPS_JIVOX_BASE_URL=https://<your-domain>.api.jivox.com  ADOPS_JIVOX_API_KEY=...
  ADOPS_JOVEO_API_KEY=...  ADOPS_JOVEO_CLIENT_ID=...
  ADOPS_MERCHENTA_USERNAME=...  ADOPS_MERCHENTA_PASSWORD=...  ADOPS_MERCHENTA_ADVERTISER=...
  ADOPS_DELTA_BASE_URL=...  ADOPS_DELTA_API_KEY=...  ADOPS_DELTA_MEDIA_AGENCY_ID=...
or name several accounts in a config file (--config FILE or ADOPS_CONFIG; README: "Several accounts").

Or try it without credentials against the built-in sandbox:
  adops-mcp serve --sandbox
"""


def _settings(**overrides: Any) -> Settings:
    from .config import ConfigError, load_settings

    try:
        return load_settings(**{k: v for k, v in overrides.items() if v is not None})
    except ConfigError as exc:
        raise click.ClickException(f"Configuration problem:\n{exc}") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="adops-mcp")
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="TOML file of named vendor accounts (profiles). Default: the user config dir's "
    "adops-mcp/config.toml. Env: ADOPS_CONFIG.",
)
def main(config_file: Path | None) -> None:
    """MCP server for campaign operations: Jivox, Joveo, Merchenta and Delta Projects.

    Every destructive action (activate, pause, enable, delete, spend changes) waits for a human
    confirmation that the model cannot give itself. Start with `adops-mcp demo`.
    """
    if config_file is not None:
        os.environ["ADOPS_CONFIG"] = str(config_file)


@main.command()
@click.option(
    "--transport",
    type=click.Choice(["stdio", "http"]),
    default="stdio",
    show_default=True,
    envvar="ADOPS_TRANSPORT",
    help="stdio for desktop/IDE clients; http for streamable HTTP at /mcp.",
)
@click.option("--host", default="127.0.0.1", show_default=True, envvar="ADOPS_HOST", help="HTTP bind address.")
@click.option(
    "--port", default=8765, show_default=True, type=click.IntRange(1, 65535), envvar="ADOPS_PORT", help="HTTP port."
)
@click.option(
    "--sandbox",
    is_flag=True,
    default=None,
    help="Answer every vendor from the built-in sandbox (no credentials, no spend). Env: ADOPS_SANDBOX=1.",
)
@click.option(
    "--read-only",
    is_flag=True,
    default=None,
    help="List and allow only read tools; beats every other option. Env: ADOPS_READ_ONLY=1.",
)
@click.option(
    "--toolsets",
    default=None,
    metavar="LIST",
    help="Comma-separated toolsets or vendors to list, or "
    "'all'. Default: each configured vendor's everyday tools. Env: ADOPS_TOOLSETS.",
)
@click.option(
    "--tools",
    default=None,
    metavar="LIST",
    help="Comma-separated tool names to list: alone, exactly these; with --toolsets, in addition. Env: ADOPS_TOOLS.",
)
@click.option(
    "--exclude-tools",
    default=None,
    metavar="LIST",
    help="Comma-separated tool names never to list (beats --tools and --toolsets). Env: ADOPS_EXCLUDE_TOOLS.",
)
@click.option(
    "--confirm-mode",
    type=click.Choice(["elicitation-or-token", "elicitation-only", "out-of-band"]),
    default=None,
    help="How destructive actions are confirmed. elicitation-or-token (default): the "
    "client's form, else a plan + confirm_action; elicitation-only: refuse clients without a form. "
    "Env: ADOPS_CONFIRM_MODE.",
)
@click.option(
    "--allowed-hosts",
    default=None,
    metavar="LIST",
    help="HTTP: Host header values to accept besides "
    "loopback names (required for a 0.0.0.0 bind). Env: ADOPS_ALLOWED_HOSTS.",
)
@click.option(
    "--allowed-origins",
    default=None,
    metavar="LIST",
    help="HTTP: browser Origin values to accept. Env: ADOPS_ALLOWED_ORIGINS.",
)
def serve(**options: Any) -> None:
    """Run the MCP server (stdio by default).

    \b
    Over HTTP, binding beyond loopback requires bearer tokens (ADOPS_HTTP_TOKENS or ADOPS_HTTP_TOKENS_FILE).
    Spend caps: ADOPS_MAX_BUDGET, ADOPS_MAX_BUDGET_INCREASE. Accounts: ADOPS_<VENDOR>_ALLOWED_ACCOUNTS.
    Operators: ADOPS_METRICS_TOKEN (GET /metrics), OTEL_* (traces), ADOPS_LOG_FORMAT=json (README: "Running it").
    """
    from .server import logs

    # First, so that every line written from here on, a configuration error included, has the chosen format.
    logs.configure(os.environ.get("ADOPS_LOG_FORMAT", "text"))
    try:
        _serve(**options)
    except click.ClickException as exc:
        if not logs.is_json():
            raise
        logs.announce(exc.format_message(), error=True)
        sys.exit(exc.exit_code)


def _serve(
    transport: str,
    host: str,
    port: int,
    sandbox: bool | None,
    read_only: bool | None,
    toolsets: str | None,
    tools: str | None,
    exclude_tools: str | None,
    confirm_mode: str | None,
    allowed_hosts: str | None,
    allowed_origins: str | None,
) -> None:
    from .server import logs

    settings = _settings(
        sandbox=sandbox,
        read_only=read_only,
        toolsets=toolsets,
        tools=tools,
        exclude_tools=exclude_tools,
        confirm_mode=confirm_mode,
        allowed_hosts=allowed_hosts,
        allowed_origins=allowed_origins,
    )
    logs.set_level(settings.log_level)
    if not settings.sandbox and not settings.enabled_vendors:
        logs.announce(NO_VENDOR, error=True)
        sys.exit(2)
    from .server import safelog

    safelog.install(settings.log_level)  # before the SDK's own handler, which could fail when descriptors run out
    from .config import ConfigError
    from .server.app import build_server
    from .server.http_app import MCP_PATH, build_http_app

    box = vendor_transport = None
    if settings.sandbox:  # the face chooses the sandbox; build_server never imports it
        from .sandbox import use_sandbox

        box, vendor_transport = use_sandbox(settings)
    try:
        built = build_server(settings, transport=vendor_transport, sandbox=box)
        if transport == "http" and not settings.console_url:  # links in approval notifications
            settings.console_url = f"http://{'[' + host + ']' if ':' in host else host}:{port}/console"
        app = None
        if transport == "http":
            from .console import build_console  # None unless operators are configured

            app = build_http_app(built.server, settings, host, build_console(built.runtime, host))
    except ConfigError as exc:
        raise click.ClickException(f"Configuration problem:\n{exc}") from None
    if app is None:
        if settings.metrics_token:  # counted, but nobody can scrape a stdio server
            logs.announce("ADOPS_METRICS_TOKEN is set, but /metrics is served over HTTP only (--transport http).")
        built.server.run("stdio")
        return
    from .server.http_app import serve_http

    sock = _bind(host, port, "--port (ADOPS_PORT)")  # before "listening" is printed: a taken port fails here
    shown = f"[{host}]" if ":" in host else host
    logs.announce(f"adops-mcp listening on http://{shown}:{port}{MCP_PATH} (health: /healthz)")
    if settings.console_tokens or settings.console_tokens_file:
        logs.announce(f"Approvals console: http://{shown}:{port}/console")
    if settings.metrics_token:
        logs.announce(f"Metrics: http://{shown}:{port}/metrics (bearer ADOPS_METRICS_TOKEN)")
    serve_http(app, built.runtime, sock, grace=settings.shutdown_grace)


def _bind(host: str, port: int, option: str) -> Any:
    """A listening socket on host:port, or a clear error naming the port."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # Name the protocol: asyncio turns Nagle off (TCP_NODELAY) only on sockets whose proto is TCP, and
    # without it a response in two writes waits for the client's delayed ACK, 40 ms per keep-alive request.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        reason = "it is already in use" if exc.errno in (98, 48, 10048) else (exc.strerror or str(exc))
        raise click.ClickException(
            f"Cannot listen on {host}:{port}: {reason}. Stop the other process or choose another port with {option}."
        ) from None
    sock.set_inheritable(True)
    return sock


@main.command()
@click.option(
    "--elicitation/--no-elicitation",
    default=False,
    show_default=True,
    help="Confirm through an elicitation form instead of the plan + confirmation_token flow.",
)
@click.option("--verbose", is_flag=True, help="Print every result's full JSON, not a one-line reading of it.")
def demo(elicitation: bool, verbose: bool) -> None:
    """Drive the server over stdio against the sandbox, as an assistant would; exit 0 if every step behaved."""
    import anyio

    from .demo import run_demo

    ok = anyio.run(run_demo, elicitation, verbose)
    sys.exit(0 if ok else 1)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Bind address (keep it on loopback).")
@click.option("--port", default=8700, show_default=True, type=click.IntRange(1, 65535))
def sandbox(host: str, port: int) -> None:
    """Serve the four simulated vendor APIs over HTTP (for curl, or ADOPS_*_BASE_URL)."""
    import uvicorn

    from .config import VENDOR_SETTINGS
    from .sandbox import Sandbox

    box = Sandbox()
    sock = _bind(host, port, "--port")
    # The simulators' own made-up credentials (public in the source), so the server can be pointed at them.
    click.echo(f"Sandbox vendors on http://{host}:{port}/<vendor>; point the server at them with:", err=True)
    for cls in VENDOR_SETTINGS:
        sim = box.simulators.get(cls.vendor)
        if sim is None:
            continue
        prefix = cls.model_config.get("env_prefix", "")
        env = {f"{prefix}BASE_URL": f"http://{host}:{port}/{cls.vendor}"}
        env |= {f"{prefix}{key.upper()}": value for key, value in sim.credentials.items()}
        click.echo("  export " + " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items()), err=True)
    click.echo("Faults: POST /_sandbox/faults {latency_ms, faults:[{status, retry_after, times, ...}]}", err=True)
    # Hung or delayed answers (fault injection) must not hold a SIGTERM: they are cut after 1 s.
    uvicorn.Server(uvicorn.Config(box.app, log_level="warning", timeout_graceful_shutdown=1)).run(sockets=[sock])


@main.command()
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Machine-readable: one object per tool (name, title, vendor, toolset, effect, default, method, path, ...).",
)
@click.option("--markdown", is_flag=True, help="The README tool table.")
def tools(as_json: bool, markdown: bool) -> None:
    """The tool catalogue: every tool the server can expose, all vendors and toolsets.

    A `*` marks the tools listed by default (`adops-mcp serve` without ADOPS_TOOLSETS); the others are
    reached through adops_find_tools and adops_call_tool, or listed with ADOPS_TOOLSETS=<toolset>.
    """
    from .catalogue import catalogue, markdown_table

    entries = catalogue()
    if as_json:
        click.echo(json.dumps(entries, indent=2))
    elif markdown:
        click.echo(markdown_table(entries), nl=False)
    else:
        click.echo(f"  {'TOOL':48} {'EFFECT':12} {'VENDOR':14} {'METHOD':6} PATH")
        for e in entries:
            mark = "*" if e.get("default") else " "
            click.echo(
                f"{mark} {e['name']:48} {e['effect']:12} {e['vendor']:14} {e['method'] or '':6} {e['path'] or ''}"
            )
        listed = sum(1 for e in entries if e.get("default"))
        click.echo(f"{len(entries)} tools; * = listed by default ({listed}); the rest through adops_find_tools.")


@main.command()
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10000))
@click.option("--vendor", default=None, help="Only this vendor (any case; delta for Delta Projects).")
@click.option("--tool", default=None, help="Only this tool, e.g. joveo_pause_jobgroup.")
@click.option("--outcome", default=None, help="Only this outcome: ok, failed, unknown or sent.")
@click.option("--json", "as_json", is_flag=True)
def audit(limit: int, vendor: str | None, tool: str | None, outcome: str | None, as_json: bool) -> None:
    """Show the audit log: every change sent to a vendor, with who confirmed it and the outcome."""
    settings = _settings()
    path = settings.data_dir / "adops.sqlite3"
    if settings.database_url is None and not path.exists():
        click.echo(f"No audit log yet at {path}.", err=True)
        return
    from .server.auditquery import BadFilter, audit_filters

    try:
        filters = audit_filters(vendor, tool, outcome)
    except BadFilter as exc:
        raise click.BadParameter(exc.message, param_hint=f"--{exc.field}") from None
    records = [r.public() for r in _wait(_store(settings).audit(limit=limit, **filters))]
    if as_json:
        click.echo(json.dumps(records, indent=2))
        return
    for r in records:
        click.echo(
            f"#{r['id']:<5} {r['at']} {r['status']:8} {r['tool']:40} profile {r['profile']}, "
            f"confirmed by {r['confirmed_by']}"
        )
        click.echo(
            f"       {r['request']}  {json.dumps(r['arguments'])}"
            + "".join(f"\n       {change}" for change in r["changes"])
            + (f"\n       {r['detail']}" if r["detail"] else "")
        )


def _wait(pending: Coroutine[Any, Any, T]) -> T:
    """The result of one store call, or a clear error when the store does not answer."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    import anyio

    from .server.store import StoreUnavailable

    async def run() -> T:
        return await pending

    try:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return anyio.run(run)
        with ThreadPoolExecutor(1) as thread:  # called from async code (a test, an embedding program)
            return thread.submit(anyio.run, run).result()
    except StoreUnavailable as exc:
        raise click.ClickException(f"The state store is unavailable: {exc.cause}") from None


def _store(settings: Settings) -> Any:
    from .server.store import open_store

    try:
        return open_store(settings)
    except Exception as exc:  # unreachable database, missing driver: say so without the URL's password
        from .vendorcall import secrets

        raise click.ClickException(f"Cannot open the state store: {secrets.scrub(str(exc))}") from None


@main.command()
@click.option(
    "--sandbox",
    is_flag=True,
    default=None,
    help="Check against the built-in sandbox instead of the configured vendors.",
)
@click.option(
    "--probe",
    is_flag=True,
    help="Check each vendor fact the documents do not state (docs/vendor-facts.md) with safe reads only "
    "(GETs and the documented credential exchange): confirmed, refuted or unknown. Exits 1 if one is refuted.",
)
@click.option(
    "--facts",
    is_flag=True,
    help="Also print the table of vendor facts the documents do not state, for the configured vendors, with "
    "the setting that changes each and its value in effect.",
)
def doctor(sandbox: bool | None, probe: bool, facts: bool) -> None:
    """Check the configuration: each vendor profile answers with its credentials, the state store opens.

    Makes one cheap authenticated call per profile (once, without retries) and prints what works;
    never prints a credential. Exits 1 when something fails. --facts adds the table of vendor facts
    the documents do not state; --probe checks those facts instead.
    """
    import anyio

    from . import doctor as checks

    settings = _settings(sandbox=sandbox)
    transport = None
    if settings.sandbox:  # the face chooses the sandbox and hands its transport to the checks
        from .sandbox import use_sandbox

        _, transport = use_sandbox(settings)
    if probe:
        ok, lines = anyio.run(checks.probe, settings, transport)
    else:
        ok, lines = anyio.run(checks.run, settings, transport)
        lines += ["", *(checks.facts_table(settings) if facts else [checks.FACTS_HINT])]
    for line in lines:
        click.echo(line)
    sys.exit(0 if ok else 1)


def _show_action(action: Any, votes: list[Any] | None = None, key: str | None = None) -> None:
    """One change as `pending` and `approve` show it; with the key, whether its approvals verify."""
    from .server import approvals

    data = action.public()
    click.echo(
        f"{data['id']}  {data['status']:9} {data['tool']} ({data['vendor']}, profile {data['profile']})"
        f"  expires {data['expires_at']}"
    )
    click.echo(textwrap.indent(data["plan"], "    "))  # every line of a plan, not only its first
    click.echo(f"    arguments: {json.dumps(data['arguments'], sort_keys=True)}")
    if votes is None or key is None:
        return
    four_eyes = _settings().console_four_eyes
    counted = approvals.counted(key, action, votes, four_eyes)
    names = ", ".join(v.name for v in counted) or "none yet"
    if action.status == "pending":
        click.echo(f"    approvals: {names} ({len(counted)} of {action.approvals_required})")
    elif action.status == "denied":
        verified = "signed by this server" if approvals.signed(key, action) else "NOT signed by this server"
        click.echo(f"    denied by {action.decided_by} ({verified})")
    elif action.decided_by is not None:
        ok = approvals.approved(key, action, votes, four_eyes)
        verified = "signed by this server" if ok else "NOT signed by this server: the record was edited"
        click.echo(f"    approvals: {action.decided_by} ({verified})")
    click.echo("")


@main.command()
@click.option("--all", "show_all", is_flag=True, help="Also decided and expired ones.")
@click.option("--json", "as_json", is_flag=True)
def pending(show_all: bool, as_json: bool) -> None:
    """Changes waiting for approval (ADOPS_CONFIRM_MODE=out-of-band), with whose approvals they have."""
    from .server.guard import load_key

    settings = _settings()
    store = _store(settings)
    actions = _wait(store.pending_actions(include_decided=show_all, limit=500))
    if as_json:
        click.echo(json.dumps([a.public() for a in actions], indent=2))
        return
    if not actions:
        click.echo("No change is waiting for approval.")
        return
    key = load_key(settings.confirm_key.get_secret_value() if settings.confirm_key else None, settings.data_dir)
    votes = _wait(store.approvals(*(a.id for a in actions)))
    for action in actions:
        _show_action(action, [v for v in votes if v.action_id == action.id], key)


def _decide(action_id: str, approve: bool, yes: bool, note: str | None, as_name: str | None) -> None:
    import getpass

    from .server import approvals, webhook
    from .server.guard import load_key
    from .vendorcall import secrets

    settings = _settings()
    store = _store(settings)
    action = _wait(store.pending(action_id))
    if action is None:
        raise click.ClickException(f"No pending change with id {action_id} (see `adops-mcp pending`).")
    _show_action(action)
    if action.status != "pending":
        raise click.ClickException(f"Change {action_id} is {action.status}; nothing was changed.")
    if approve and as_name is None and action.approvals_required > 1:
        raise click.ClickException(
            f"Change {action_id} needs {action.approvals_required} different operators' approvals: say whose this "
            "one is with --as NAME (the name the console knows them by). Nothing was changed."
        )
    if approve and not yes and not click.confirm("Approve exactly this change?", default=False):
        raise click.ClickException("Not approved; nothing was changed.")
    key = load_key(settings.confirm_key.get_secret_value() if settings.confirm_key else None, settings.data_dir)
    secrets.register(key)
    by = as_name if as_name is not None else getpass.getuser()
    decision = _wait(approvals.decide(store, key, action_id, approve, by, note, four_eyes=settings.console_four_eyes))
    if not decision.recorded or decision.action is None:
        raise click.ClickException(decision.message)
    if decision.final:
        webhook.notify(settings, "approval_decided", decision.action)
    else:
        webhook.notify(settings, "approval_recorded", decision.action, by=by)
    if not approve:
        click.echo(f"Denied by {by}. Nothing will be sent to the vendor.")
    elif decision.final:
        click.echo(
            f"Approved by {decision.action.decided_by}. The assistant performs it (once) when it calls "
            "confirm_action with its token."
        )
    else:
        click.echo(decision.message)


NOTE = click.option("--note", default=None, help="A note recorded with the decision.")


@main.command()
@click.argument("action_id")
@click.option("--yes", is_flag=True, help="Approve without the question (after reading the plan it prints).")
@click.option(
    "--as",
    "as_name",
    default=None,
    metavar="NAME",
    help="Approve as operator NAME (needed when a change requires more than one approval, "
    "ADOPS_APPROVALS_REQUIRED); otherwise the login name. The same rules as the console: one approval per "
    "person, never the requester's own.",
)
@NOTE
def approve(action_id: str, yes: bool, note: str | None, as_name: str | None) -> None:
    """Show a pending change (out-of-band mode) and approve it: the assistant may then perform it, once."""
    _decide(action_id, True, yes, note, as_name)


@main.command()
@click.argument("action_id")
@click.option("--as", "as_name", default=None, metavar="NAME", help="Deny as operator NAME (default: the login name).")
@NOTE
def deny(action_id: str, note: str | None, as_name: str | None) -> None:
    """Deny a pending change: it is never sent."""
    _decide(action_id, False, True, note, as_name)


if __name__ == "__main__":
    main()
