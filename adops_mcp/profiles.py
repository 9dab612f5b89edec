"""Each vendor's configured accounts by profile name (read from the environment and the config file by config.py)."""

from __future__ import annotations

from .config import Settings, VendorSettings


def vendor_profiles(settings: Settings, vendor: str) -> dict[str, VendorSettings]:
    """Every configured account of a vendor by profile name, the default first."""
    default = settings.vendors.get(vendor)
    if default is None or not default.enabled:
        return {}
    others = {n: v for n, v in settings.profiles.get(vendor, {}).items() if n != default.profile}
    return {default.profile: default, **others}
