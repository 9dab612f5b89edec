"""The names the vendor gives the ids a call names, picked from what it read while planning.

A person approving `client_id: c-1, campaign_id: k-7` wants to see "Globex" and "Always-on hiring": the
plan's reads already fetched those objects. While a plan is made (`Call.names` is a dict), every JSON
answer is searched for an object carrying one of the call's ids, under `id` (the object itself) or under
a key named like the field (`campaignId`, `campaign_id`); its name (`name`, `campaignName`, ...) and
currency are kept, as the vendor returns them (cleaned: vendor text is untrusted). Bounded: at most
`MAX_OBJECTS` objects of one answer are looked at.
"""

from __future__ import annotations

import re
from typing import Any

from .sanitize import clean_text

MAX_OBJECTS = 5000
ID_FIELD = re.compile(r"(?:^|_)(?:id|idx|code|reference)$")


def _squash(key: str) -> str:
    return re.sub(r"[^a-z0-9]", "", key.lower())


def ids_of(params: Any) -> dict[str, str]:
    """The params fields that carry one id (`client_id`, `retail_campaign_idx`, `creative_code`): field -> id."""
    found: dict[str, str] = {}
    for field in type(params).model_fields:
        value = getattr(params, field, None)
        if ID_FIELD.search(field) and isinstance(value, str | int) and not isinstance(value, bool):
            found[field] = str(value)
    values = list(found.values())
    return {f: v for f, v in found.items() if values.count(v) == 1}  # two fields, one value: cannot tell


def _name(obj: dict[str, Any], stem: str, own: bool) -> str | None:
    """The object's own name (`name`, or `<stem>Name` as Jivox's `retailCampaignName`), or, found under
    `<stem>Id`, the `<stem>Name` beside it."""
    wanted = ("name", stem + "name") if own else (stem + "name",)
    by_key = {_squash(k): v for k, v in obj.items() if isinstance(v, str) and v.strip()}
    return next((by_key[k] for k in wanted if k in by_key), None)


def note(names: dict[str, dict[str, str]], ids: dict[str, str], data: Any) -> None:
    """Add to `names` (field -> {"id", "name"[, "currency"]}) what `data` says about the ids."""
    wanted = {f: v for f, v in ids.items() if f not in names}
    if not wanted:
        return
    stack, seen = [data], 0
    while stack and seen < MAX_OBJECTS and wanted:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
            continue
        if not isinstance(item, dict):
            continue
        seen += 1
        for field, ident in list(wanted.items()):
            stem = _squash(re.sub(r"_(?:id|idx|code|reference)$", "", field))
            for key, value in item.items():
                if isinstance(value, bool) or not isinstance(value, str | int) or str(value) != ident:
                    continue
                squashed = _squash(key)
                own = squashed in ("id", "idx", "code", "reference")
                if not own and squashed != _squash(field) and squashed not in (stem + "id", stem + "code"):
                    continue
                name = _name(item, stem, own)
                if name is None:
                    continue
                entry = {"id": ident, "name": clean_text(name, 200)}
                currency = item.get("currency") or item.get("currencyCode") if own else None
                if isinstance(currency, str) and currency.strip():
                    entry["currency"] = clean_text(currency, 12)
                names[field] = entry
                del wanted[field]
                break
        stack.extend(v for v in item.values() if isinstance(v, dict | list))
