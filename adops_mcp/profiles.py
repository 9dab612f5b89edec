"""Named vendor accounts (profiles) from a TOML config file.

    # ~/.config/adops-mcp/config.toml (or ADOPS_CONFIG / --config)
    [joveo.profiles.globex]
    api_key = "..."
    client_id = "..."

    [joveo.profiles.initech]
    api_key = "..."
    client_id = "..."
    base_url = "https://api.joveo.com"

A profile takes the same fields as the vendor's ADOPS_<VENDOR>_* variables, in lower case, and
nothing from the environment: each profile is complete on its own. The environment variables form
the profile `default`. A vendor's default account is the profile `default`, else the first one in
the file; with more than one profile the vendor's tools take an optional `profile` argument.
"""

from __future__ import annotations

import functools
import re
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs
from pydantic import ValidationError

if TYPE_CHECKING:
    from .config import Settings, VendorSettings

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
    from .config import VENDOR_SETTINGS

    path, explicit = config_path(settings)
    if not path.is_file():
        return [f"ADOPS_CONFIG: no config file at {path}"] if explicit else []
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

    class FileProfile(cls):  # type: ignore[valid-type, misc]
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


def vendor_profiles(settings: Settings, vendor: str) -> dict[str, VendorSettings]:
    """Every configured account of a vendor by profile name, the default first."""
    default = settings.vendors.get(vendor)
    if default is None or not default.enabled:
        return {}
    others = {n: v for n, v in settings.profiles.get(vendor, {}).items() if n != default.profile}
    return {default.profile: default, **others}
