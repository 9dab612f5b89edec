"""Vendor facts the documents in vendor-docs/ do not state (or state inconsistently), in one table.

Each fact has the setting that changes it, where its current value came from (the vendor's
document, a public page of the vendor, or a guess) and its value. `adops-mcp doctor` prints the
table, docs/vendor-facts.md is generated from it (`python -m adops_mcp.facts`, a test keeps the two
equal) and `adops-mcp doctor --probe` checks the facts a safe read can check (probe.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .config import JivoxSettings, JoveoSettings, MerchentaSettings, VendorSettings

Source = str  # "document" | "public page" | "guess"


@dataclass(frozen=True)
class Fact:
    vendor: str  # jivox | joveo | merchenta | deltaprojects
    name: str  # what the fact is, e.g. "path of joveo_list_clients"
    setting: str  # the environment variable that changes it
    source: Source
    value: Callable[[VendorSettings], str]  # the value in effect for an account
    default: str  # the value without the setting (the docs page shows it)
    method: str | None = None  # for a path: the HTTP method it is called with
    note: str = ""

    @property
    def readable(self) -> bool:
        """Whether doctor --probe may try it: a GET path (never a write)."""
        return self.method == "GET"


def _attr(name: str) -> Callable[[VendorSettings], str]:
    return lambda s: str(getattr(s, name))


def _url(s: VendorSettings) -> str:
    """The base URL in effect, without any user:password it carries (those are credentials)."""
    return s.public()["base_url"] or "(not set)"


def _joveo_path(op: str, default: str) -> Callable[[VendorSettings], str]:
    def value(s: VendorSettings) -> str:
        assert isinstance(s, JoveoSettings)
        return s.paths.get(op.removeprefix("joveo_"), default)

    return value


def _joveo_facts() -> list[Fact]:
    from .tools.joveo.operations import OPERATIONS

    facts = [
        Fact(
            "joveo",
            "API host",
            "ADOPS_JOVEO_BASE_URL",
            "guess",
            _url,
            str(JoveoSettings.default_base_url),
            note="the document names prod and staging environments but no host",
        ),
        Fact(
            "joveo",
            "path of the access-token exchange (V1)",
            "ADOPS_JOVEO_TOKEN_PATH",
            "guess",
            _attr("token_path"),
            JoveoSettings.model_fields["token_path"].default,
            method="POST",
            note="doctor --probe makes this documented credential exchange",
        ),
    ]
    seen: set[tuple[str, str]] = set()
    for op in OPERATIONS:
        if op.method is None or op.path is None or (op.method, op.path) in seen:
            continue
        seen.add((op.method, op.path))
        documented = op.path == "/s2s/events"
        facts.append(
            Fact(
                "joveo",
                f"path of {op.name}",
                f"ADOPS_JOVEO_PATH_{op.name.removeprefix('joveo_').upper()}",
                "document" if documented else "guess",
                _joveo_path(op.name, op.path),
                op.path,
                method=op.method,
            )
        )
    facts += [
        Fact(
            "joveo",
            "header carrying the stats task id (V49)",
            "ADOPS_JOVEO_TASK_ID_HEADER",
            "guess",
            _attr("task_id_header"),
            JoveoSettings.model_fields["task_id_header"].default,
            note="the document's answer is text/plain NO_CONTENT; any header or body id is also taken",
        ),
        Fact(
            "joveo",
            "page number of the first page, every list but jobs",
            "ADOPS_JOVEO_PAGE_BASE",
            "document",
            _attr("page_base"),
            str(JoveoSettings.model_fields["page_base"].default),
            note='"skips the first N (limit * page) results"; tools take one-based pages',
        ),
        Fact(
            "joveo",
            "page number of the first page of jobs",
            "ADOPS_JOVEO_JOBS_PAGE_BASE",
            "document",
            _attr("jobs_page_base"),
            str(JoveoSettings.model_fields["jobs_page_base"].default),
            note='"page number starts from 1"',
        ),
        Fact(
            "joveo",
            "client start/end date format (V2)",
            "ADOPS_JOVEO_CLIENT_DATE_FORMAT",
            "document",
            _attr("client_date_format"),
            JoveoSettings.model_fields["client_date_format"].default,
            note="the text says mm/dd/yyyy, both samples use dd/mm/yyyy; other Joveo dates are mm/dd/yyyy",
        ),
    ]
    return facts


def _facts() -> list[Fact]:
    jivox = JivoxSettings.model_fields
    return [
        Fact(
            "jivox",
            "API host",
            "ADOPS_JIVOX_BASE_URL",
            "public page",
            _url,
            "(none: each customer's own domain)",
            note="the documents use the stub host demo.stub.api.jivox.com",
        ),
        Fact(
            "jivox",
            "path of the activation status",
            "ADOPS_JIVOX_ACTIVATION_STATUS_PATH",
            "document",
            _attr("activation_status_path"),
            jivox["activation_status_path"].default,
            method="GET",
            note="the only un-hyphenated, lower-case route in the documents: possibly a typo",
        ),
        Fact(
            "jivox",
            "path of the activation status tried after a 404",
            "ADOPS_JIVOX_ACTIVATION_STATUS_FALLBACK_PATH",
            "guess",
            _attr("activation_status_fallback_path"),
            jivox["activation_status_fallback_path"].default,
            method="GET",
            note="empty: no fallback",
        ),
        Fact(
            "jivox",
            "path of the retail settings (approvers)",
            "ADOPS_JIVOX_RETAIL_SETTINGS_PATH",
            "guess",
            _attr("retail_settings_path"),
            jivox["retail_settings_path"].default,
            method="GET",
            note="on 404/405 activation rests on the approval status alone",
        ),
        *_joveo_facts(),
        Fact(
            "merchenta",
            "API host",
            "ADOPS_MERCHENTA_BASE_URL",
            "public page",
            _url,
            str(MerchentaSettings.default_base_url),
            note="ADOPS_MERCHENTA_ENVIRONMENT=sandbox selects https://sandbox.rtbapi.io",
        ),
        Fact(
            "merchenta",
            "path that locks a campaign for editing (POST locks, DELETE unlocks)",
            "ADOPS_MERCHENTA_LOCK_PATH",
            "guess",
            _attr("lock_path"),
            MerchentaSettings.model_fields["lock_path"].default,
            method="POST",
            note='the document requires a lock ("see Campaign editing") but that page was not found; empty: no lock',
        ),
        Fact(
            "deltaprojects",
            "API host",
            "ADOPS_DELTA_BASE_URL",
            "guess",
            _url,
            "(none: ask Delta Projects)",
            note="the document gives paths only",
        ),
    ]


FACTS: tuple[Fact, ...] = tuple(_facts())
DOC = Path(__file__).resolve().parent.parent / "docs" / "vendor-facts.md"
VENDOR_NAMES = {"jivox": "Jivox", "joveo": "Joveo", "merchenta": "Merchenta", "deltaprojects": "Delta Projects"}


def current(fact: Fact, settings: VendorSettings | None) -> str:
    if settings is None:
        return fact.default
    return fact.value(settings) or "(empty)"


def table_lines(accounts: dict[str, VendorSettings]) -> list[str]:
    """The table as doctor prints it: one line per fact, the value in effect for each configured vendor."""
    lines = [f"{'vendor':10} {'source':11} {'setting':46} value"]
    for fact in FACTS:
        value = current(fact, accounts.get(fact.vendor))
        what = f"{fact.method} {value}" if fact.method else value
        lines.append(f"{fact.vendor:10} {fact.source:11} {fact.setting:46} {what}")
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown() -> str:
    out = [
        "# Vendor facts the documents do not state",
        "",
        "<!-- Generated by `python -m adops_mcp.facts` from adops_mcp/facts.py; a test keeps it equal. -->",
        "",
        "The vendor documents (VENDORS.md, `vendor-docs/`) leave some facts open: hosts, most Joveo paths, "
        "Merchenta's lock endpoint, Jivox's retail-settings path, where Joveo returns a stats task id, page "
        "numbering and date formats. Each is listed here with the setting that changes it, where its value "
        "comes from (**document**: the vendor's document says so; **public page**: a public page of the vendor; "
        "**guess**: nobody has confirmed it) and its default.",
        "",
        "`adops-mcp doctor` prints this table with the values in effect. `adops-mcp doctor --probe` checks, with "
        "your real credentials and safe reads only (GETs, plus the documented credential exchange), every path "
        "below that is read with GET: **confirmed** (2xx, or a 4xx other than 404/405), **refuted** (404/405: "
        "set the named variable to the path your vendor gave you) or **unknown** (not checkable by a read). It "
        "exits 0 unless a fact is refuted.",
        "",
        "Joveo paths are set per operation: `ADOPS_JOVEO_PATH_<OPERATION>` (the tool name without `joveo_`), "
        "keeping the `{placeholders}` of the default; in a config-file profile, `paths = {list_clients = "
        '"/v2/clients"}`.',
    ]
    for vendor, display in VENDOR_NAMES.items():
        out += ["", f"## {display}", "", "| fact | setting | source | default |", "|---|---|---|---|"]
        for fact in FACTS:
            if fact.vendor != vendor:
                continue
            default = f"`{fact.method} {fact.default}`" if fact.method else f"`{fact.default}`"
            name = fact.name + (f" ({fact.note})" if fact.note else "")
            out.append(f"| {_cell(name)} | `{fact.setting}` | {fact.source} | {_cell(default)} |")
    return "\n".join(out) + "\n"


def placeholders(path: str) -> list[str]:
    return re.findall(r"{(\w+)}", path)


if __name__ == "__main__":
    DOC.write_text(markdown())
    print(f"wrote {DOC}")  # noqa: T201 (a command's output)
