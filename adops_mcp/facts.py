"""Vendor facts the documents in vendor-docs/ do not state (or state inconsistently), in one table.

Each fact has the setting that changes it, where its current value came from (the vendor's
document, a public page of the vendor, or a guess) and its value. `adops-mcp doctor --facts` prints the
table, docs/vendor-facts.md is generated from it (`python -m adops_mcp.facts`, a test keeps the two
equal) and `adops-mcp doctor --probe` checks the facts a safe read can check (probe.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .config import DeltaSettings, JivoxSettings, JoveoSettings, MerchentaSettings, VendorSettings

Source = str  # "document" | "public page" | "guess"
NO_SETTING = "no setting"
WRITE_ONLY = "only a write shows it; a probe never sends one"


@dataclass(frozen=True)
class Fact:
    vendor: str  # jivox | joveo | merchenta | deltaprojects
    name: str  # what the fact is, e.g. "path of joveo_list_clients"
    setting: str  # the environment variable that changes it, or NO_SETTING
    source: Source
    value: Callable[[VendorSettings], str]  # the value in effect for an account
    default: str  # the value without the setting (the docs page shows it)
    method: str | None = None  # for a path: the HTTP method it is called with
    note: str = ""
    unprobed: str = ""  # why doctor --probe cannot check it (a write's path says so itself)

    @property
    def readable(self) -> bool:
        """Whether doctor --probe may try it: a GET path (never a write)."""
        return self.method == "GET"

    @property
    def not_probed_because(self) -> str:
        if self.unprobed:
            return self.unprobed
        if self.method not in (None, "GET"):
            return "a write's path; a probe never sends one"
        return "no read checks it"


def _fixed(value: str) -> Callable[[VendorSettings], str]:
    return lambda s: value


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
            "how the access token is sent in x-authorization-key",
            "ADOPS_JOVEO_TOKEN_FORMAT",
            "guess",
            _attr("token_format"),
            JoveoSettings.model_fields["token_format"].default,
            note='the document says "pass the token"; its answer has token_type Bearer. raw or bearer',
        ),
        Fact(
            "joveo",
            "key of the caps object when creating a campaign (V19)",
            "ADOPS_JOVEO_CAMPAIGN_CAPS_KEY",
            "guess",
            _attr("campaign_caps_key"),
            JoveoSettings.model_fields["campaign_caps_key"].default,
            note='the create sample spells it "Caps", the update sample and every other record "caps"',
            unprobed=WRITE_ONLY,
        ),
        Fact(
            "joveo",
            "status of a paused job (V13, V16)",
            "ADOPS_JOVEO_JOB_PAUSED_STATUS",
            "guess",
            _attr("job_paused_status"),
            JoveoSettings.model_fields["job_paused_status"].default,
            note='only "ACTIVE" is documented; plans and the diagnosis compare a job\'s status with it',
        ),
        Fact(
            "joveo",
            "stats request dates: filters keys startDate / endDate in mm/dd/yyyy (V49)",
            NO_SETTING,
            "guess",
            _fixed("startDate, endDate (mm/dd/yyyy)"),
            "startDate, endDate (mm/dd/yyyy)",
            note="the document does not show the Async Stat Filters object; the filters argument is sent as given",
            unprobed=WRITE_ONLY,
        ),
        Fact(
            "joveo",
            "stats request id filters: keys campaignIds / jobGroupIds (V49)",
            NO_SETTING,
            "guess",
            _fixed("campaignIds, jobGroupIds"),
            "campaignIds, jobGroupIds",
            note="not shown by the document; the filters argument is sent as given",
            unprobed=WRITE_ONLY,
        ),
        Fact(
            "joveo",
            "stats aggregation level values (V49)",
            NO_SETTING,
            "guess",
            _fixed("CLIENT, CAMPAIGN, JOBGROUP, JOB"),
            "CLIENT, CAMPAIGN, JOBGROUP, JOB",
            note="the Aggregation Level object is not shown; the values are the report groupBy ones (V51, V54)",
            unprobed=WRITE_ONLY,
        ),
        Fact(
            "joveo",
            "report dates: filterBy keys startDate / endDate in mm/dd/yyyy (V51, V54, V55)",
            NO_SETTING,
            "guess",
            _fixed("startDate, endDate (mm/dd/yyyy)"),
            "startDate, endDate (mm/dd/yyyy)",
            note="the Report Details FilterBy object is not shown; the filter_by argument is sent as given",
            unprobed=WRITE_ONLY,
        ),
        Fact(
            "joveo",
            "key of the funnel's additional details object (V57)",
            NO_SETTING,
            "guess",
            _fixed("additionalDetails"),
            "additionalDetails",
            note='the document shows "object (Funnel Tracking Additional Details)" without its key',
            unprobed=WRITE_ONLY,
        ),
        Fact(
            "joveo",
            'meaning of V40 "Get all jobs of specific posting": adds (pins) jobs to a posting config',
            NO_SETTING,
            "guess",
            _fixed("joveo_add_jobs_to_posting_config (destructive)"),
            "joveo_add_jobs_to_posting_config (destructive)",
            note='its label says "get", but it takes job references and answers "Create request processed"',
            unprobed=WRITE_ONLY,
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
        Fact(
            "jivox",
            "retail campaign list filter status(eq)<STATUS>",
            NO_SETTING,
            "guess",
            _fixed("filters=status(eq)<STATUS>"),
            "filters=status(eq)<STATUS>",
            note="the filters grammar is Field(Operator)Value; only mediaPlanName(like) is shown (media plans)",
        ),
        Fact(
            "jivox",
            "retail campaign list filter retailCampaignName(like)<text>",
            NO_SETTING,
            "guess",
            _fixed("filters=retailCampaignName(like)<text>"),
            "filters=retailCampaignName(like)<text>",
            note="as above",
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
        Fact(
            "deltaprojects",
            "path of a client (D2), tried first",
            "ADOPS_DELTA_CLIENT_PATH",
            "document",
            _attr("client_path"),
            DeltaSettings.model_fields["client_path"].default,
            method="GET",
            note="the document's example request; its text gives another path (next line)",
        ),
        Fact(
            "deltaprojects",
            "path of a client tried after a 404",
            "ADOPS_DELTA_CLIENT_FALLBACK_PATH",
            "document",
            _attr("client_fallback_path"),
            DeltaSettings.model_fields["client_fallback_path"].default,
            method="GET",
            note="the document's text; empty: no fallback",
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
    """The table as `doctor --facts` prints it: one line per fact of each configured vendor, its value in effect."""
    lines = [f"{'vendor':10} {'source':11} {'setting':46} value"]
    for fact in FACTS:
        if accounts and fact.vendor not in accounts:
            continue  # only the configured vendors' facts (all of them when none is configured)
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
        "Merchenta's lock endpoint, Jivox's retail-settings path and list filters, where Joveo returns a stats "
        "task id, how its token is sent, body keys its samples do not show or spell two ways, page numbering and "
        "date formats. Each guess the tools make is listed here with the setting that changes it (or **no "
        "setting**), where its value comes from (**document**: the vendor's document says so, possibly "
        "inconsistently; **public page**: a public page of the vendor; **guess**: nobody has confirmed it) and "
        "its default.",
        "",
        "`adops-mcp doctor --facts` prints this table with the values in effect. `adops-mcp doctor --probe` "
        "checks, with your real credentials and safe reads only (GETs, plus the documented credential exchange), "
        "every fact a read can check: **confirmed** (the vendor answered as the fact says), **refuted** (404/405 "
        "on a path, or an answer that contradicts the fact: change the named setting) or **unknown** (not "
        "checked, and why: authentication failed, nothing to try it with, or only a write would show it; these "
        "are grouped one line per reason). Every line names the setting that changes the fact. It exits 0 "
        "unless a fact is refuted.",
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
