"""Stateful simulator of the Joveo external API (MOJO programmatic job advertising).

Paths and methods are the PROPOSED table V1-V60 of VENDORS.md section 2 (the vendor document lost
them); behaviour follows ../shared/vendor-docs/joveo-api.txt. Where the document is silent the
sandbox decides, and says so here so a client writer knows what is vendor fact and what is not.

One module per resource family: `clients` (tokens V1, clients V2-V10), `jobs` (V11-V18), `campaigns`
(campaigns and job groups V19-V33), `postings` (feeds, posting jobs and configs V34-V48), `reports`
(stats, meta, rules, reports, funnel, S2S V49-V60); `state` holds the records, authorization, scoping
and paging they share, `common` the seeded ids and helpers, `simulator` the route table.

Credentials (constructor keyword arguments override): API_KEY "sandbox-joveo-key" (header
`x-api-key`) and CLIENT_ID "sandbox-joveo-api-client" (the external API client id that mints tokens).

Sandbox decisions (not documented by the vendor):
- Error bodies are JSON `{"message": "..."}` (the vendor documents status codes only).
- 401: missing/unknown `x-api-key`. 403: missing/unknown/expired `x-authorization-key`, a token minted
  for another API client, an unknown client_id in the token request, or an unknown client id given in a
  header/query (`x-client-id`, `client_id`). 404: unknown ids in the path (a deleted thing is gone).
  400: missing `x-client-id` / `client_id` header or query, bad body, bad paging, bad dates.
- `x-authorization-key` carries the raw access_token (no "Bearer " prefix; a prefixed one is 403).
- Paging (as documented): lists skip limit*page rows (first page 0); jobs "start from 1"; limit 1..1000.
  Jobs lists reach only the first 10,000 jobs: a page starting at 10,000 or later is 400.
- Dates of clients, campaigns, job groups and rules are mm/dd/yyyy in and out (400 otherwise,
  e.g. the vendor's own dd/mm/yyyy sample "20/04/2020"). Posting configs take ISO 8601 dates.
- Jobs have `status` "ACTIVE" | "PAUSED" and `valid`; clients (V7), campaigns and job groups use
  "A" | "P". A parent's pause does not rewrite children: each keeps its own status, and the effect
  shows in stats (zero clicks/spend) and in `sim.effective_status(jobgroup_id)`.
- Duplicate refNumber on V11 is 400. V40 answers result {added: [...], failed: [{refNumber, reason}]}.
- V42 (configs of a client and publisher) answers {data: [...]} like other lists, without paging.
- Async stats V49: 200 text/plain "NO_CONTENT" with headers `x-task-id: <id>` and
  `Location: /v1/stats/reports/<id>/status`. filters: {startDate, endDate (mm/dd/yyyy, default the last
  30 days), campaignIds?, jobGroupIds?}; aggregationLevel: {primaryLevel (required), secondaryLevel?,
  tertiaryLevel?}, distinct (400 otherwise); levels CLIENT | CAMPAIGN | JOBGROUP shape the rows, others
  are accepted and reported at job group grain. V50 answers {status: "IN_PROGRESS"} for the first
  `sim.stats_polls_in_progress` (2) polls, then {status: "SUCCESS", location: [
  "https://reports.sandbox.joveo.invalid/<id>.csv"]} or {status: "NO_RECORDS_FOUND"}.
  NO_RECORDS rule: stats exist only for the last 60 days (clock-based) and only for job groups that are
  running now (own, campaign and client status "A") on days inside their start/end dates; when the
  selection has no clicks under that rule (range older than 60 days, only paused/ended job groups,
  unknown ids, a paused client) the task ends NO_RECORDS_FOUND. `sim.report_rows(task_id)` gives the rows.
- V51 stream (WIP at the vendor): answers one chunk {streamNumber: 1, stats: [rows]} (not streamed);
  set `sim.stream_deployed = False` to get 501 {"message": "... not deployed ..."} as production may.
- V54/V55 answer {"reportId": "<id>"} (the vendor sample is an empty object); V56 answers
  {reportId, status: "IN_PROGRESS" | "SUCCESS", url} (IN_PROGRESS for the first poll).
- V53 rules are validated and recorded (`sim.rules`), not executed.
- V59/V60 publisher reports: {success: true, reportId}; status {success, reportId, status, url}.

Seeded accounts (agency "ripple"; clock-relative behaviour uses `sim.clock`):

| kind | id | name | demonstrates |
|---|---|---|---|
| client | 3f6c2a9e-8d41-4b7a-9e2c-5a1d7b0c4e11 | Globex Logistics | active; 5,000 jobs GLX-00000..GLX-04999 (1) |
| client | a27e91d4-5c3b-4f08-8b6e-2d9f4c1a7e52 | Initech Health | active; 40 jobs INH-00000.. |
| client | c8d45b17-2e6a-49f3-a1c0-7b3e9d5f2a83 | Umbrella Retail | client paused (status P); 25 jobs UMB-00000.. |
| campaign | 0b7d3e51-9a2c-4e86-b4f1-6c8a2d9e1f01 | Always-on Drivers (Globex) | active |
| campaign | 5e9a1c73-4b2d-4f6e-8a90-1d3c5b7e9f02 | Q3 Warehouse Surge (Globex) | campaign paused |
| campaign | 7c2e4a96-1d8b-4c35-9f7a-3e5b1d9c2a03 | Nurse Hiring 2025 (Initech) | active |
| campaign | 9a4c6e18-3f5d-4a27-b1e9-5c7d3f1b4e04 | Store Associates (Umbrella) | active but client paused |
| job group | 1d4b7e2a-6c3f-4a58-9e1d-0a2b4c6d8e11 | CDL Drivers - Texas | running, cpcBid 0.45, cpaBid 12.5 |
| job group | 2e5c8f3b-7d4a-4b69-8f2e-1b3c5d7e9f12 | Owner Operators | own status P |
| job group | 3f6d9a4c-8e5b-4c7a-9a3f-2c4d6e8f0a13 | Summer Drivers 2024 | status A, endDate 08/31/2024 (ended) |
| job group | 4a7e0b5d-9f6c-4d8b-8b4a-3d5e7f9a1b14 | Forklift Operators | status A in paused campaign: not spending |
| job group | 5b8f1c6e-0a7d-4e9c-9c5b-4e6f8a0b2c15 | ICU Nurses (Initech) | running, cpcBid 1.10 |
| job group | 6c9a2d7f-1b8e-4fad-8d6c-5f7a9b1c3d16 | Travel Nurses (Initech) | running, cpcBid 0.95 |
| job group | 7dab3e8a-2c9f-4abe-9e7d-6a8b0c2d4e17 | Holiday Cashiers (Umbrella) | status A, client paused |
| feed | 277bc914-a6eb-44a4-beea-cb1c2bd60d24 | Globex XML feed | active |
| feed | 36e90f46-9d9e-42ac-accb-559de107bbc8 | Initech XML feed | active |
| config | 213d2dcb-d72b-43fb-85bc-71e1aaa8fe8a | Globex on ziprecruiter | cost 220, 100 slots, 3 used |
| config | 8c1e5f2a-4b7d-4e3a-9f6c-2d8a1b5e7c9f | Globex on dice | cost 1000, 5 slots, all used (full) |
| config | 4f2a8d6c-1e9b-4c7f-a3d5-8b6e2c9f1a4d | Initech on dice | cost 300, 20 slots, 2 used |

(1) every i%97==13 is invalid, every i%50==7 PAUSED.

Publishers: ziprecruiter, dice, careerbuilder (no configs). Publisher families:
65a1f0c2b7d94e3a8c5b2d10 (ZipRecruiter), 65a1f0c2b7d94e3a8c5b2d11 (Dice).
Job jobIds are 32 hex characters; `sim.job_id(client_id, ref)` gives one for tests.
Other Python helpers: `sim.token_requests` (successful mints), `sim.expire_tokens()`,
`sim.add_api_client(client_id, api_key)`, `sim.set_status("client"|"campaign"|"jobgroup", id, "A"|"P")`,
`sim.effective_status(jobgroup_id)` -> {running, reasons}, `sim.report_rows(task_id)`,
`sim.stats_polls_in_progress`, `sim.report_polls_in_progress`, `sim.stream_deployed`, and the recorded
`sim.funnel_events`, `sim.s2s_events` (with a `duplicate` flag per jobApplicationId), `sim.rules`.
"""

from __future__ import annotations

from .common import (
    AGENCY_ID,
    CAMP_ALWAYS_ON,
    CAMP_NURSES,
    CAMP_Q3_SURGE,
    CAMP_STORES,
    CFG_GLOBEX_DICE,
    CFG_GLOBEX_ZIP,
    CFG_INITECH_DICE,
    FEED_GLOBEX,
    FEED_INITECH,
    GLOBEX,
    INITECH,
    JG_CDL_TEXAS,
    JG_FORKLIFT,
    JG_HOLIDAY,
    JG_ICU,
    JG_OWNER_OPS,
    JG_SUMMER_2024,
    JG_TRAVEL,
    LEVEL_KEYS,
    MANDATORY_JOB_FIELDS,
    MAX_JOBS_REACHABLE,
    MAX_LIMIT,
    PUBLISHER_FAMILIES,
    PUBLISHER_PERIODS,
    PUBLISHERS,
    REPORT_GROUP_BY,
    REPORT_HOST,
    STATS_WINDOW_DAYS,
    TOKEN_TTL,
    UMBRELLA,
    ApiError,
)
from .simulator import JoveoSimulator

__all__ = [
    "AGENCY_ID",
    "CAMP_ALWAYS_ON",
    "CAMP_NURSES",
    "CAMP_Q3_SURGE",
    "CAMP_STORES",
    "CFG_GLOBEX_DICE",
    "CFG_GLOBEX_ZIP",
    "CFG_INITECH_DICE",
    "FEED_GLOBEX",
    "FEED_INITECH",
    "GLOBEX",
    "INITECH",
    "JG_CDL_TEXAS",
    "JG_FORKLIFT",
    "JG_HOLIDAY",
    "JG_ICU",
    "JG_OWNER_OPS",
    "JG_SUMMER_2024",
    "JG_TRAVEL",
    "LEVEL_KEYS",
    "MANDATORY_JOB_FIELDS",
    "MAX_JOBS_REACHABLE",
    "MAX_LIMIT",
    "PUBLISHERS",
    "PUBLISHER_FAMILIES",
    "PUBLISHER_PERIODS",
    "REPORT_GROUP_BY",
    "REPORT_HOST",
    "STATS_WINDOW_DAYS",
    "TOKEN_TTL",
    "UMBRELLA",
    "ApiError",
    "JoveoSimulator",
]
