"""Typed settings from the environment (ADOPS_*), validated with messages that name the variable.

A vendor is enabled when its credentials are set. Base URLs default to the vendor's documented
production host where one is known; every base URL and odd path can be overridden.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import re
from pathlib import Path
from typing import Any, ClassVar, Literal

import platformdirs
from pydantic import AnyHttpUrl, BaseModel, Field, PrivateAttr, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .vendorcall import secrets


class ConfigError(Exception):
    """Settings that cannot work; the message names the variables to fix."""


class VendorSettings(BaseSettings):
    """Common shape of one vendor account."""

    vendor: ClassVar[str]
    display: ClassVar[str]
    credential_fields: ClassVar[tuple[str, ...]]
    default_base_url: ClassVar[str | None] = None

    base_url: AnyHttpUrl | None = None
    profile: str = "default"
    _install_key: str | None = PrivateAttr(default=None)
    # Operator policy: comma list of vendor-side accounts calls may target ("prefix*" matches a prefix).
    allowed_accounts: str | None = None
    # A config-file profile: ADOPS_<VENDOR>_ALLOWED_ACCOUNTS from the environment, which binds it too.
    _operator_allowed: str | None = PrivateAttr(default=None)
    _in_file: bool = PrivateAttr(default=False)

    @property
    def enabled(self) -> bool:
        return any(getattr(self, name) is not None for name in self.credential_fields)

    @property
    def url(self) -> str:
        return str(self.base_url or self.default_base_url).rstrip("/")

    def env(self, name: str) -> str:
        return f"{self.model_config.get('env_prefix', '')}{name}".upper()

    def allowlists(self) -> list[tuple[str, set[str]]]:
        """Every account allowlist that binds this account, as (where it is set, entries); each must allow."""
        lists = []
        if self._operator_allowed:
            lists.append((self.env("allowed_accounts"), _entries(self._operator_allowed)))
        if self.allowed_accounts:
            where = f"allowed_accounts of profile {self.profile}" if self._in_file else self.env("allowed_accounts")
            lists.append((where, _entries(self.allowed_accounts)))
        return [(where, entries) for where, entries in lists if entries]

    def bind_operator_allowlist(self, value: str | None) -> None:
        """The environment's ADOPS_<VENDOR>_ALLOWED_ACCOUNTS, for a profile of the config file (load_settings)."""
        self._operator_allowed, self._in_file = value, True

    def problems(self) -> list[str]:
        """What is missing for an enabled vendor, as variable names to set."""
        if not self.enabled:
            return []
        missing = [self.env(n) for n in self.credential_fields if getattr(self, n) is None]
        if self.base_url is None and self.default_base_url is None:
            missing.append(self.env("base_url"))
        return [f"{self.display} is partly configured: set {', '.join(missing)}"] if missing else []

    def secret(self, name: str) -> str:
        value = getattr(self, name)
        return value.get_secret_value() if isinstance(value, SecretStr) else str(value)

    def bind_install_key(self, key: str) -> None:
        """The install's signing key, which account keys are made with (build_server calls this)."""
        self._install_key = key

    @property
    def account_key(self) -> str:
        """Identifies the vendor account a confirmation token is bound to: `vendor:profile:` and an HMAC
        under the install key of the endpoint and credentials (nothing to guess credentials from offline)."""
        if self._install_key is None:
            raise RuntimeError("Account keys are made with the install key: bind_install_key first (build_server).")
        material = "|".join(
            [self.vendor, self.profile, self.url]
            + [self.secret(n) for n in self.credential_fields if getattr(self, n) is not None]
        )
        digest = hmac.new(self._install_key.encode(), b"adops-mcp/account/v1\n" + material.encode(), hashlib.sha256)
        return f"{self.vendor}:{self.profile}:{digest.hexdigest()[:16]}"

    def public(self) -> dict[str, Any]:
        """What can be shown: no credential values."""
        return {
            "vendor": self.vendor,
            "profile": self.profile,
            "enabled": self.enabled,
            "base_url": secrets.hide_userinfo(self.url) if (self.base_url or self.default_base_url) else None,
        }


def _entries(value: str) -> set[str]:
    return {part.strip() for part in value.split(",") if part.strip()}


class JivoxSettings(VendorSettings):
    model_config = SettingsConfigDict(env_prefix="ADOPS_JIVOX_", extra="ignore")
    vendor: ClassVar[str] = "jivox"
    display: ClassVar[str] = "Jivox"
    credential_fields: ClassVar[tuple[str, ...]] = ("api_key",)

    api_key: SecretStr | None = None
    # VENDORS.md 1.4: the documented spelling is unverified; on 404 the hyphenated form is tried.
    activation_status_path: str = "/v2/accounts/{accountId}/retailcampaigns/{retailCampaignIdx}/activationstatus"
    activation_status_fallback_path: str = (
        "/v2/accounts/{accountId}/retail-campaigns/{retailCampaignIdx}/activationStatus"
    )
    retail_settings_path: str = "/v2/accounts/{accountId}/retail-settings"
    poll_interval: float = Field(default=3.0, ge=0, le=60)  # seconds between activation polls (wait tool)


class JoveoSettings(VendorSettings):
    model_config = SettingsConfigDict(env_prefix="ADOPS_JOVEO_", extra="ignore")
    vendor: ClassVar[str] = "joveo"
    display: ClassVar[str] = "Joveo"
    credential_fields: ClassVar[tuple[str, ...]] = ("api_key", "client_id")
    default_base_url: ClassVar[str | None] = "https://api.joveo.com"  # PROPOSED (VENDORS.md 2.2)

    api_key: SecretStr | None = None
    client_id: SecretStr | None = None
    token_path: str = "/v1/access-token"  # PROPOSED (VENDORS.md 2.6, V1)
    poll_interval: float = Field(default=2.0, ge=0, le=30)  # seconds between stats status polls
    # The document: lists skip limit*page rows (first page 0), except jobs ("page number starts from 1").
    page_base: int = Field(default=0, ge=0, le=1)
    jobs_page_base: int = Field(default=1, ge=0, le=1)
    # Client start/end dates: the text says mm/dd/yyyy, both samples use dd/mm/yyyy.
    client_date_format: Literal["mm/dd/yyyy", "dd/mm/yyyy"] = "mm/dd/yyyy"
    # Where the stats task id comes back (V49 documents none): this header first, then any header or body.
    task_id_header: str = "x-task-id"
    # x-authorization-key: the document says "pass the token"; its answer says token_type Bearer (VENDORS.md 2.3).
    token_format: Literal["raw", "bearer"] = "raw"
    # V19's create sample spells the caps key "Caps", every other sample "caps" (likely a typo; a guess).
    campaign_caps_key: Literal["caps", "Caps"] = "caps"
    # A paused job's status value: only "ACTIVE" is documented (V13).
    job_paused_status: str = Field(default="PAUSED", min_length=1, max_length=40)
    # Every Joveo path but /s2s/events is a guess: operation name (without joveo_) -> the path Joveo gave
    # you, e.g. ADOPS_JOVEO_PATH_LIST_CLIENTS=/v2/clients (or `paths = {list_clients = "..."}` in a profile).
    paths: dict[str, str] = Field(default_factory=dict)

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: Any, init_settings: Any, env_settings: Any, dotenv_settings: Any, file_secret_settings: Any
    ) -> tuple[Any, ...]:
        def path_variables() -> dict[str, Any]:
            prefix = "ADOPS_JOVEO_PATH_"
            found = {k[len(prefix) :].lower(): v for k, v in os.environ.items() if k.upper().startswith(prefix)}
            return {"paths": found} if found else {}

        return (init_settings, env_settings, path_variables)

    @field_validator("paths")
    @classmethod
    def _paths(cls, value: dict[str, str]) -> dict[str, str]:
        for name, path in value.items():
            if not path.startswith("/") or any(c in path for c in "?# "):
                raise ValueError(f"ADOPS_JOVEO_PATH_{name.upper()}: a path starting with / (no query), got {path!r}")
        return value

    def path(self, operation: str, default: str) -> str:
        """The path of a Joveo operation: the setting when given, else the proposed default."""
        override = self.paths.get(operation.removeprefix("joveo_"))
        if override is None:
            return default
        if sorted(re.findall(r"{\w+}", override)) != sorted(re.findall(r"{\w+}", default)):
            from .vendorcall.http import VendorError

            raise VendorError(
                "joveo",
                f"ADOPS_JOVEO_PATH_{operation.removeprefix('joveo_').upper()} must keep the placeholders of "
                f"{default} (it is {override}); nothing was sent.",
            )
        return override


class MerchentaSettings(VendorSettings):
    model_config = SettingsConfigDict(env_prefix="ADOPS_MERCHENTA_", extra="ignore")
    vendor: ClassVar[str] = "merchenta"
    display: ClassVar[str] = "Merchenta"
    credential_fields: ClassVar[tuple[str, ...]] = ("username", "password", "advertiser")
    default_base_url: ClassVar[str | None] = "https://production.rtbapi.io"
    sandbox_base_url: ClassVar[str] = "https://sandbox.rtbapi.io"  # integration testing, no media spend

    username: SecretStr | None = None
    password: SecretStr | None = None
    advertiser: str | None = None
    # production buys media; sandbox (https://sandbox.rtbapi.io) cannot spend. base_url overrides both.
    environment: Literal["production", "sandbox"] = "production"
    # PROPOSED (VENDORS.md 3.3, M7/M8): POST locks, DELETE unlocks; empty = the vendor needs no lock.
    lock_path: str = "/v3/campaigns/{campaignCode}/lock"

    @property
    def url(self) -> str:
        if self.base_url is None and self.environment == "sandbox":
            return self.sandbox_base_url
        return super().url


class DeltaSettings(VendorSettings):
    model_config = SettingsConfigDict(env_prefix="ADOPS_DELTA_", extra="ignore")
    vendor: ClassVar[str] = "deltaprojects"
    display: ClassVar[str] = "Delta Projects"
    credential_fields: ClassVar[tuple[str, ...]] = ("api_key",)

    api_key: SecretStr | None = None
    media_agency_id: str | None = None
    # D2: the example request's path first; on 404 the documented /api/v1/client/{clientId} (empty: none).
    client_path: str = "/api/v1/media_agency/{mediaAgencyId}/client/{clientId}"
    client_fallback_path: str = "/api/v1/client/{clientId}"


VENDOR_SETTINGS: tuple[type[VendorSettings], ...] = (JivoxSettings, JoveoSettings, MerchentaSettings, DeltaSettings)


class Settings(BaseSettings):
    """Server-wide settings (policy, storage, transport tuning)."""

    model_config = SettingsConfigDict(env_prefix="ADOPS_", extra="ignore")

    sandbox: bool = False
    read_only: bool = False
    toolsets: str | None = None
    tools: str | None = None  # comma list of tool names (alone: only these; with toolsets: added)
    exclude_tools: str | None = None  # comma list of tool names never listed
    # elicitation-or-token | elicitation-only (deny clients that cannot elicit) | out-of-band (approval elsewhere)
    confirm_mode: Literal["elicitation-or-token", "elicitation-only", "out-of-band"] = "elicitation-or-token"
    max_budget: float | None = Field(default=None, ge=0)  # in the account currency
    max_budget_increase: float | None = Field(default=None, ge=0)  # per change, in the account currency
    # the sum of budget rises per vendor account over the last 24 h, read from the audit log
    max_budget_increase_per_day: float | None = Field(default=None, ge=0)
    max_bid: float | None = Field(default=None, ge=0)  # CPC/CPA bids, posting costs, eCPM targets
    # Streamable HTTP (server/http_app.py)
    allowed_hosts: str | None = None  # Host header values, comma list; "name" also allows "name:<port>"
    allowed_origins: str | None = None  # Origin header values, comma list
    http_tokens: SecretStr | None = None  # bearer tokens, comma list
    http_tokens_file: Path | None = None  # one bearer token a line
    http_max_body: int = Field(default=1_048_576, ge=1024, le=64 * 1_048_576)  # bytes
    http_stateless: bool = True  # no session state in the process: replicas are interchangeable
    # Slow and idle connections (server/http_limits.py): seconds, and open connections beyond which 503.
    http_header_timeout: float = Field(default=10.0, gt=0, le=300)  # first byte to complete headers
    http_keep_alive_timeout: float = Field(default=5.0, gt=0, le=300)  # idle between requests
    http_body_timeout: float = Field(default=30.0, gt=0, le=600)  # headers to complete body
    http_max_connections: int = Field(default=1000, ge=1, le=1_000_000)  # lowered to fit the descriptor limit
    data_dir: Path = Field(default_factory=lambda: Path(platformdirs.user_data_dir("adops-mcp")))
    confirm_key: SecretStr | None = None
    # Shared state for replicas: postgresql://... (audit log, used tokens, approvals); default SQLite in data_dir.
    database_url: SecretStr | None = None
    store_timeout: float = Field(default=5.0, gt=0, le=120)  # seconds: connect, statement, and any wait for the store
    store_pool_size: int = Field(default=4, ge=1, le=64)  # open database connections per process
    config: Path | None = None  # the TOML file of named vendor profiles (load_profiles below); ADOPS_CONFIG
    confirm_ttl: int = Field(default=600, ge=30, le=86400)
    timeout: float = Field(default=30.0, gt=0, le=600)  # the budget of one whole tool call (INTERFACE.md)
    shutdown_grace: int = Field(default=10, ge=1, le=600)  # HTTP: seconds running calls get to finish on SIGTERM
    max_concurrency: int = Field(default=32, ge=1, le=256)  # 200 calls at 50 ms: ~0.35 s floor (bench/concurrency.py)
    read_attempts: int = Field(default=4, ge=1, le=10)
    # A vendor answer above this many bytes is refused, not read on (ADOPS_MAX_RESPONSE_BYTES; default 2 MiB).
    max_response_bytes: int = Field(default=2 * 1_048_576, ge=65_536, le=256 * 1_048_576)
    retry_wait: float = Field(default=0.25, ge=0, le=30)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "WARNING"
    log_format: Literal["text", "json"] = "text"  # json: every line written to stderr is one JSON object
    metrics_token: SecretStr | None = None  # HTTP: GET /metrics (Prometheus) with this bearer token; unset: no route
    # Approvals console at /console on the HTTP transport (adops_mcp/console/): operators as name:token pairs.
    console_tokens: SecretStr | None = None  # comma list of name:token
    console_tokens_file: Path | None = None  # one name:token a line
    console_session_ttl: int = Field(default=8 * 3600, ge=60, le=7 * 86400)  # seconds a sign-in lasts
    console_four_eyes: bool = True  # an operator may not approve an action requested under their own name
    # Out-of-band approvals (server/approvals.py): distinct operators, none the requester, per change ...
    approvals_required: int = Field(default=1, ge=1, le=10)
    # ... or, when set, only for changes that raise spend by more than this amount (others need one approval)
    approvals_required_above: float | None = Field(default=None, ge=0)
    max_pending_per_requester: int = Field(default=20, ge=1, le=10_000)  # changes one caller may have waiting
    console_url: str | None = None  # the console's address as people reach it (links in notifications)
    approval_webhook_url: SecretStr | None = None  # JSON POST when an approval is requested and decided

    vendors: dict[str, VendorSettings] = Field(default_factory=dict, exclude=True)
    # vendor -> profile name -> account, from the config file (the env account is `vendors[vendor]`).
    profiles: dict[str, dict[str, VendorSettings]] = Field(default_factory=dict, exclude=True)

    @field_validator("confirm_key")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and (problem := secrets.weak_key(value.get_secret_value())):
            raise ValueError(
                f"{problem}: it signs confirmation tokens and approvals, so it must be random, "
                "e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
            )
        return value

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("metrics_token")
    @classmethod
    def _metrics_token_long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value().strip()) < 16:
            raise ValueError(
                "needs at least 16 characters (it guards /metrics), "
                "e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
            )
        return value

    @field_validator("toolsets", "tools", "exclude_tools")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @property
    def enabled_vendors(self) -> dict[str, VendorSettings]:
        return {name: v for name, v in self.vendors.items() if v.enabled}


def partly_set(settings: Settings) -> list[tuple[str, str]]:
    """Vendors some of whose ADOPS_<VENDOR>_* variables are set but not their credentials: not enabled, and
    the variables to set (a base URL alone enables nothing)."""
    found = []
    for name, account in settings.vendors.items():
        given = sorted(account.model_fields_set - {"profile"})
        if account.enabled or not given:
            continue
        missing = ", ".join(account.env(n) for n in account.credential_fields)
        found.append(
            (
                name,
                f"not enabled: {', '.join(account.env(n) for n in given)} set, but {missing} missing "
                f"({account.display} is enabled by its credentials)",
            )
        )
    return found


def _explain(exc: ValidationError, prefix: str) -> list[str]:
    lines = []
    for error in exc.errors():
        field = ".".join(str(p) for p in error["loc"])
        lines.append(f"{prefix}{field.upper()}: {error['msg']}")
    return lines


def load_settings(**overrides: Any) -> Settings:
    """Read every ADOPS_* variable; raise ConfigError listing each problem by variable name."""
    problems: list[str] = []
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError("\n".join(_explain(exc, "ADOPS_"))) from None
    for cls in VENDOR_SETTINGS:
        try:
            vendor = cls()
        except ValidationError as exc:
            problems += _explain(exc, cls.model_config.get("env_prefix", ""))
            continue
        problems += vendor.problems()
        settings.vendors[cls.vendor] = vendor
    if not settings.sandbox:  # the sandbox answers every vendor itself: no real account is loaded
        problems += load_profiles(settings)
        for vendor_name, accounts in settings.profiles.items():  # the environment's allowlist binds them all
            env_vendor = settings.vendors.get(vendor_name)
            for account in accounts.values():
                account.bind_operator_allowlist(env_vendor.allowed_accounts if env_vendor else None)
        resolve_defaults(settings)
    if problems:
        raise ConfigError("\n".join(problems))
    register_secrets(settings)
    return settings


# Named vendor accounts (profiles) from a TOML config file.
#
#     # ~/.config/adops-mcp/config.toml (or ADOPS_CONFIG / --config)
#     [joveo.profiles.globex]
#     api_key = "..."
#     client_id = "..."
#
#     [joveo.profiles.initech]
#     api_key = "..."
#     client_id = "..."
#     base_url = "https://api.joveo.com"
#
# A profile takes the same fields as the vendor's ADOPS_<VENDOR>_* variables, in lower case, and
# nothing from the environment: each profile is complete on its own. The environment variables form
# the profile `default`. A vendor's default account is the profile `default`, else the first one in
# the file; with more than one profile the vendor's tools take an optional `profile` argument.

NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
ALIASES = {"delta": "deltaprojects"}


def default_path() -> Path:
    return Path(platformdirs.user_config_dir("adops-mcp")) / "config.toml"


def config_path(settings: Settings) -> tuple[Path, bool]:
    """The config file to read and whether it was asked for explicitly (then it must exist)."""
    if settings.config is not None:
        return Path(settings.config).expanduser(), True
    return default_path(), False


def load_profiles(settings: Settings) -> list[str]:
    """Add the config file's profiles to `settings`; returns the problems found (empty when fine)."""
    path, explicit = config_path(settings)
    if not path.is_file():
        return [f"ADOPS_CONFIG: no config file at {path}"] if explicit else []
    import tomllib  # only when a config file exists

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return [f"{path}: cannot read it as TOML ({exc})"]
    classes = {cls.vendor: cls for cls in VENDOR_SETTINGS}
    problems: list[str] = []
    for section, body in data.items():
        vendor = ALIASES.get(section, section)
        cls = classes.get(vendor)
        where = f"{path} [{section}]"
        if cls is None:
            problems.append(f"{where}: unknown vendor (use {', '.join(classes)})")
            continue
        if not isinstance(body, dict) or set(body) - {"profiles"} or not isinstance(body.get("profiles"), dict):
            problems.append(f"{where}: expected only [{section}.profiles.<name>] tables")
            continue
        for name, values in body["profiles"].items():
            problems += _add(settings, cls, name, values, f"{path} [{section}.profiles.{name}]")
    return problems


def _add(settings: Settings, cls: type[VendorSettings], name: str, values: object, where: str) -> list[str]:
    if not NAME.match(name):
        return [f"{where}: a profile name is lower-case letters, digits, - and _ (at most 32)"]
    if not isinstance(values, dict):
        return [f"{where}: expected a table of settings"]
    allowed = set(cls.model_fields) - {"profile"}
    unknown = sorted(set(values) - allowed)
    if unknown:
        return [f"{where}: unknown setting(s) {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))})"]
    try:
        profile = _file_only(cls)(**values, profile=name)
    except ValidationError as exc:
        return [f"{where}: {'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
    if not profile.enabled:
        return [f"{where}: no credentials (set {', '.join(cls.credential_fields)})"]
    missing = [n for n in cls.credential_fields if getattr(profile, n) is None]
    if profile.base_url is None and cls.default_base_url is None:
        missing.append("base_url")
    if missing:
        return [f"{where}: partly configured: set {', '.join(missing)}"]
    accounts = settings.profiles.setdefault(cls.vendor, {})
    env_default = settings.vendors.get(cls.vendor)
    if name in accounts or (name == "default" and env_default is not None and env_default.enabled):
        return [
            f"{where}: the profile {name} is defined twice (the ADOPS_{cls.vendor.upper()}_* variables "
            "form the profile default)"
        ]
    accounts[name] = profile
    return []


@functools.cache
def _file_only(cls: type[VendorSettings]) -> type[VendorSettings]:
    """The vendor's settings class reading nothing from the environment: a profile is complete on its own."""

    class FileProfile(cls):  # type: ignore[valid-type, misc]  # mypy cannot follow a base class held in a variable
        @classmethod
        def settings_customise_sources(cls, settings_cls: Any, init_settings: Any, **_: Any) -> tuple[Any, ...]:
            return (init_settings,)

    FileProfile.__name__ = FileProfile.__qualname__ = cls.__name__
    return FileProfile


def resolve_defaults(settings: Settings) -> None:
    """Each vendor's default account: its environment variables, else the profile `default`, else the first."""
    for vendor, accounts in settings.profiles.items():
        current = settings.vendors.get(vendor)
        if current is not None and current.enabled:
            continue
        settings.vendors[vendor] = accounts.get("default") or next(iter(accounts.values()))


def register_secrets(settings: Settings) -> None:
    if settings.confirm_key is not None:
        secrets.register(settings.confirm_key.get_secret_value())
    if settings.metrics_token is not None:
        secrets.register(settings.metrics_token.get_secret_value())
    if settings.approval_webhook_url is not None:  # Slack-style webhook URLs are credentials themselves
        secrets.register(settings.approval_webhook_url.get_secret_value())
    if settings.database_url is not None:
        from urllib.parse import urlsplit

        secrets.register(urlsplit(settings.database_url.get_secret_value()).password)
    accounts = [*settings.vendors.values(), *(v for p in settings.profiles.values() for v in p.values())]
    for vendor in accounts:
        for name in vendor.credential_fields:
            value = getattr(vendor, name)
            if isinstance(value, SecretStr):
                secrets.register(value.get_secret_value())
        secrets.register_userinfo(vendor.url)  # https://user:password@host: both are credentials


class PublicConfig(BaseModel):
    """The configuration as a model may see it."""

    sandbox: bool
    read_only: bool
    vendors: list[dict[str, Any]]
