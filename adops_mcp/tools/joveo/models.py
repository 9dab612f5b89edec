"""Joveo parameters and trimmed results (VENDORS.md section 2).

Dates are taken as ISO YYYY-MM-DD and sent in Joveo's mm/dd/yyyy (clients, campaigns, job groups,
rules, stats); posting configs take ISO date-times. The conversion happens only on the wire
(serialization context {"wire": True}), so params round-trip unchanged through confirmation tokens.
Nested objects whose shape the vendor document does not show (caps, budget, filters, placements,
job settings) are open JSON objects.
"""

import re
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    PlainSerializer,
    SerializationInfo,
    model_validator,
)

from ...vendorcall.operation import Params, Selects, Wire
from ...vendorcall.request import PathSafe
from ...vendorcall.spend import Spend

ID_PATTERN = r"^[\w.:~-]{1,128}$"
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _wire(info: SerializationInfo) -> bool:
    return bool(info.context and info.context.get("wire"))


SLASH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _mdy_or_iso(value: Any) -> Any:
    """An ISO date, or mm/dd/yyyy as Joveo's document writes these fields (its samples: 01/27/2020)."""
    if not isinstance(value, str) or ISO_DATE.match(value.strip()):
        return value
    match = SLASH_DATE.match(value.strip())
    found = match and _day(int(match[3]), int(match[1]), int(match[2]))
    if not found:
        raise ValueError(
            f"use an ISO date YYYY-MM-DD such as 2025-06-01, or mm/dd/yyyy as Joveo's document writes it "
            f"(its sample: 01/27/2020); got {value!r}"
        )
    return found


def _client_date_in(value: Any) -> Any:
    """An ISO date, or a slash date that reads only one way: the document's text says mm/dd/yyyy while its
    samples are dd/mm/yyyy (20/03/2020), so 05/04/2020 could be either and is refused."""
    if not isinstance(value, str) or ISO_DATE.match(value.strip()):
        return value
    match = SLASH_DATE.match(value.strip())
    readings: set[date] = set()
    if match:
        first, second, year = int(match[1]), int(match[2]), int(match[3])
        readings = {d for d in (_day(year, first, second), _day(year, second, first)) if d}
    if len(readings) == 1:
        return readings.pop()
    why = (
        "it reads both as mm/dd/yyyy (the document's text) and as dd/mm/yyyy (its samples, e.g. 20/03/2020)"
        if readings
        else "it is not a date"
    )
    raise ValueError(f"use an ISO date YYYY-MM-DD such as 2025-06-01 for client dates; got {value!r}: {why}")


def _mdy(value: date, info: SerializationInfo) -> str:
    return value.strftime("%m/%d/%Y") if _wire(info) else value.isoformat()


def _wire_datetime(value: datetime, info: SerializationInfo) -> str:
    if not _wire(info):
        return value.isoformat()
    moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _client_date(value: date, info: SerializationInfo) -> str:
    """Client dates (V2): the text says mm/dd/yyyy, the samples dd/mm/yyyy; ADOPS_JOVEO_CLIENT_DATE_FORMAT decides."""
    if not _wire(info):
        return value.isoformat()
    assert info.context is not None
    dmy = info.context.get("client_date_format") == "dd/mm/yyyy"
    return value.strftime("%d/%m/%Y" if dmy else "%m/%d/%Y")


_JAVA_TOKENS = re.compile(r"'([^']*)'|yyyy|yy|MM|dd|HH|mm|ss|SSS|XXX|Z|X")
_JAVA_FORMATS = {"yyyy": "%Y", "yy": "%y", "MM": "%m", "dd": "%d", "HH": "%H", "mm": "%M", "ss": "%S"}


def java_format(moment: datetime, pattern: str) -> str:
    """`moment` (UTC) in a Java SimpleDateFormat pattern such as yyyy-MM-dd'T'HH:mm:ssZ (posting configs)."""

    def token(match: re.Match[str]) -> str:
        text = match.group(0)
        if match.group(1) is not None:
            return match.group(1) or "'"
        if text == "SSS":
            return f"{moment.microsecond // 1000:03d}"
        if text == "Z":
            return "+0000"
        if text in ("X", "XXX"):
            return "Z"
        return moment.strftime(_JAVA_FORMATS[text])

    return _JAVA_TOKENS.sub(token, pattern)


MdyDate = Annotated[date, BeforeValidator(_mdy_or_iso), PlainSerializer(_mdy, return_type=str)]
ClientDate = Annotated[date, BeforeValidator(_client_date_in), PlainSerializer(_client_date, return_type=str)]
IsoDateTime = Annotated[
    datetime,
    AfterValidator(lambda v: v if v.tzinfo else v.replace(tzinfo=UTC)),  # naive means UTC
    PlainSerializer(_wire_datetime, return_type=str),
]

ClientId = Annotated[
    str,
    Field(pattern=ID_PATTERN, description="Client id."),
    PathSafe,
    Selects(),
]
HeaderClientId = Annotated[ClientId, Wire("header", "x-client-id")]
CampaignId = Annotated[str, Field(pattern=ID_PATTERN, description="Campaign id."), PathSafe]
JobGroupId = Annotated[str, Field(pattern=ID_PATTERN, description="Job group id."), PathSafe]
JobReference = Annotated[str, Field(pattern=r"^[^\s/]{1,200}$", description="Job refNumber."), PathSafe]
FeedId = Annotated[str, Field(pattern=ID_PATTERN, description="Feed id."), PathSafe]
PublisherId = Annotated[str, Field(pattern=ID_PATTERN, description="Publisher id."), PathSafe]
ConfigId = Annotated[str, Field(pattern=ID_PATTERN, description="Posting config id."), PathSafe]
OpenObject = dict[str, Any]
Page_ = Annotated[
    int,
    Field(
        ge=1,
        description="Page number, one-based: 1 is the first page (sent in Joveo's own numbering, "
        "ADOPS_JOVEO_PAGE_BASE / ADOPS_JOVEO_JOBS_PAGE_BASE).",
    ),
]
Limit = Annotated[int, Field(ge=1, le=1000, description="Page size.")]


def _url_as_documented(value: Any) -> Any:
    """Two slips in Joveo's own samples, refused with the document named: the callback sample
    "https:domain.com/report/reportId" has no //, the job samples' alternateURL a space."""
    if not isinstance(value, str):
        return value
    if re.match(r"^https?:(?!//)", value):
        raise ValueError(
            f"{value!r} has no // after the scheme, so it names no host (Joveo's document has the same slip in "
            "its callBackUrl sample, https:domain.com/report/reportId); write https://domain.com/..."
        )
    if re.search(r"\s", value.strip()):
        raise ValueError(
            f"{value!r} contains a space, which a URL cannot carry (Joveo's document has the same copy slip in its "
            "add-job sample alternateURL: ...ny--48e3732b -768b-...); remove it or write it as %20"
        )
    return value


HttpUrl = Annotated[str, Field(max_length=2000, pattern=r"^https?://\S+$"), BeforeValidator(_url_as_documented)]


def _number_as_text(value: Any) -> Any:
    """A postal code given as a number, as Joveo's add-job sample sends it ("zip": 500081), is that text."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _dates_in_order(start: Any, end: Any) -> None:
    if start is not None and end is not None and end < start:
        raise ValueError("end_date must not be before start_date")


class Status(StrEnum):
    A = "A"
    P = "P"


class StatsLevel(StrEnum):
    CLIENT = "CLIENT"
    CAMPAIGN = "CAMPAIGN"
    JOBGROUP = "JOBGROUP"
    JOB = "JOB"


class FilterLevel(StrEnum):
    clients = "clients"
    jobs = "jobs"
    campaign = "campaign"
    jobgroups = "jobgroups"


class JobFilterLevel(StrEnum):
    clients = "clients"
    campaign = "campaign"
    jobgroups = "jobgroups"


class ConversionEvent(StrEnum):
    VIEW = "VIEW"
    APPLY_START = "APPLY_START"
    APPLY = "APPLY"


class PublisherPeriod(StrEnum):
    LAST_MONTH = "LAST_MONTH"
    THIS_MONTH = "THIS_MONTH"
    LAST_30_DAYS = "LAST_30_DAYS"


# ------------------------------------------------------------------------------- clients


class ClientParams(Params):
    client_id: ClientId


class ListParams(Params):
    page: Page_ = 1
    limit: Limit = 50


class ClientListParams(ClientParams):
    page: Page_ = 1
    limit: Limit = 50


class CreateClientParams(Params):
    company_name: Annotated[
        str,
        Field(serialization_alias="companyName", min_length=1, max_length=200, description="Client (company) name."),
    ]
    exported_name: Annotated[
        str | None,
        Field(serialization_alias="exportedName", max_length=200, description="Name used for publishers' FTP files."),
    ] = None
    apply_conv_window: Annotated[
        int | None,
        Field(serialization_alias="applyConvWindow", ge=0, le=365, description="Apply conversion window, days."),
    ] = None
    time_zone: Annotated[
        str | None,
        Field(
            serialization_alias="timeZone",
            pattern=r"^UTC[+-]\d{1,2}:\d{2}$",
            description="Time zone as UTC±Hh:mm, e.g. UTC-06:00.",
        ),
    ] = None
    start_date: Annotated[
        ClientDate | None,
        Field(serialization_alias="startDate", description="YYYY-MM-DD (sent as ADOPS_JOVEO_CLIENT_DATE_FORMAT)."),
    ] = None
    end_date: Annotated[
        ClientDate | None,
        Field(serialization_alias="endDate", description="YYYY-MM-DD (sent as ADOPS_JOVEO_CLIENT_DATE_FORMAT)."),
    ] = None
    caps: Annotated[OpenObject | None, Spend(), Field(description="Caps object (Joveo 'Create Client Caps').")] = None
    client_type: Annotated[
        str | None, Field(serialization_alias="clientType", max_length=100, description="e.g. DirectEmployer.")
    ] = None
    advertiser_name: Annotated[
        str | None,
        Field(
            serialization_alias="advertiserName", max_length=200, description="Advertiser node name in outbound feeds."
        ),
    ] = None

    @model_validator(mode="after")
    def _order(self) -> Self:
        _dates_in_order(self.start_date, self.end_date)
        return self


class UpdateClientParams(ClientParams):
    budget: Annotated[
        OpenObject | None, Spend(), Field(description="Budget object (Joveo 'Create Client Budget').")
    ] = None
    applies: Annotated[
        OpenObject | None, Spend("volume"), Field(description="Applies cap object (Joveo 'Create Client Applies').")
    ] = None

    @model_validator(mode="after")
    def _something(self) -> Self:
        if self.budget is None and self.applies is None:
            raise ValueError("give budget and/or applies")
        return self


# ---------------------------------------------------------------------------------- jobs


class JobFields(Params):
    title: Annotated[str | None, Field(max_length=500)] = None
    company: Annotated[str | None, Field(max_length=200)] = None
    description: Annotated[str | None, Field(max_length=100000)] = None
    category: Annotated[str | None, Field(max_length=200)] = None
    url: HttpUrl | None = None
    alternate_url: Annotated[HttpUrl | None, Field(serialization_alias="alternateURL")] = None
    city: Annotated[str | None, Field(max_length=200)] = None
    state: Annotated[str | None, Field(max_length=200)] = None
    country: Annotated[str | None, Field(max_length=100)] = None
    zip: Annotated[Annotated[str, Field(max_length=20)] | None, BeforeValidator(_number_as_text)] = None
    published_date: Annotated[
        IsoDateTime | None, Field(serialization_alias="publishedDate", description="ISO date-time.")
    ] = None
    end_at_date: Annotated[
        IsoDateTime | None,
        Field(serialization_alias="endAtDate", description="ISO date-time; the job is deleted after it."),
    ] = None
    job_type: Annotated[
        str | None, Field(serialization_alias="jobType", max_length=50, description="e.g. FULL_TIME.")
    ] = None
    additional_fields: Annotated[OpenObject | None, Field(serialization_alias="additionalFields")] = None
    publisher_fields: Annotated[OpenObject | None, Field(serialization_alias="publisherFields")] = None
    job_setting: Annotated[OpenObject | None, Spend(), Field(serialization_alias="jobSetting")] = None
    placement_settings: Annotated[
        list[OpenObject] | None, Spend(), Field(serialization_alias="placementSettings", max_length=200)
    ] = None


class AddJobParams(JobFields):
    client_id: ClientId
    ref_number: Annotated[
        str,
        Field(
            serialization_alias="refNumber",
            min_length=1,
            max_length=200,
            pattern=r"^[^\s/]+$",
            description="Unique job reference number.",
        ),
        PathSafe,
    ]


class UpdateJobParams(JobFields):
    client_id: ClientId
    job_reference: JobReference

    @model_validator(mode="after")
    def _something(self) -> Self:
        if not any(getattr(self, f) is not None for f in JobFields.model_fields):
            raise ValueError("give at least one field to change")
        return self


class JobParams(ClientParams):
    job_reference: JobReference


class ListJobsParams(ClientParams):
    page: Page_ = 1
    limit: Annotated[int, Field(ge=1, le=70, description="Jobs per page (1-70; trimmed jobs).")] = 50

    @model_validator(mode="after")
    def _reachable(self) -> Self:
        if (self.page - 1) * self.limit >= 10000:
            raise ValueError("Joveo lists only the first 10,000 jobs: (page-1)*limit must be below 10000")
        return self


class BulkJobsParams(Params):
    client_id: Annotated[ClientId, Wire("query", "client_id")]
    job_ids: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9]+$")]],
        Wire("none"),
        Field(min_length=1, max_length=100, description="jobId values (1-100)."),
    ]


class RulesParams(Params):
    client_id: HeaderClientId
    name: Annotated[str, Field(min_length=1, max_length=200, description="Rule name.")]
    campaign_id: Annotated[CampaignId | None, Field(serialization_alias="campaignId")] = None
    job_group_id: Annotated[JobGroupId | None, Field(serialization_alias="jobGroupId")] = None
    filter_level: Annotated[FilterLevel | None, Field(serialization_alias="filterLevel")] = None
    apply_to_children: Annotated[bool | None, Field(serialization_alias="applyToChildren")] = None
    conditions: Annotated[list[OpenObject] | None, Field(max_length=100, description="Job level conditions.")] = None
    condition_op: Annotated[Literal["OR", "AND"] | None, Field(serialization_alias="conditionOp")] = None
    action_type: Annotated[
        str | None, Field(serialization_alias="actionType", max_length=100, description="e.g. administration.")
    ] = None
    start_date: Annotated[MdyDate | None, Field(serialization_alias="startDate", description="YYYY-MM-DD.")] = None
    end_date: Annotated[MdyDate | None, Field(serialization_alias="endDate", description="YYYY-MM-DD.")] = None
    job_filter: Annotated[OpenObject | None, Field(serialization_alias="jobFilter")] = None
    job_filter_level: Annotated[JobFilterLevel | None, Field(serialization_alias="jobFilterLevel")] = None
    admin_actions: Annotated[
        OpenObject | None,
        Spend(),
        Field(serialization_alias="adminActions", description="What to do, e.g. pause or enable."),
    ] = None
    filters: Annotated[list[OpenObject] | None, Field(max_length=100)] = None

    @model_validator(mode="after")
    def _order(self) -> Self:
        _dates_in_order(self.start_date, self.end_date)
        return self


# ----------------------------------------------------------------------------- campaigns


class CampaignParams(ClientParams):
    campaign_id: CampaignId


class CreateCampaignParams(ClientParams):
    name: Annotated[str, Field(min_length=1, max_length=200, description="Campaign name.")]
    start_date: Annotated[MdyDate | None, Field(serialization_alias="startDate", description="YYYY-MM-DD.")] = None
    end_date: Annotated[MdyDate | None, Field(serialization_alias="endDate", description="YYYY-MM-DD.")] = None
    caps: Annotated[OpenObject | None, Spend(), Field(description="Caps object (Joveo 'Create Campaign Caps').")] = None

    @model_validator(mode="after")
    def _order(self) -> Self:
        _dates_in_order(self.start_date, self.end_date)
        return self


class UpdateCampaignParams(CampaignParams):
    caps: Annotated[OpenObject, Spend(), Field(description="New caps object (Joveo 'Update Campaign Caps').")]


class CampaignListParams(CampaignParams):
    page: Page_ = 1
    limit: Limit = 50


# ---------------------------------------------------------------------------- job groups


class JobGroupParams(CampaignParams):
    jobgroup_id: JobGroupId


Bid = Annotated[float, Field(ge=0, le=10000)]


class CreateJobGroupParams(CampaignParams):
    name: Annotated[str, Field(min_length=1, max_length=200, description="Job group name.")]
    start_date: Annotated[MdyDate | None, Field(serialization_alias="startDate", description="YYYY-MM-DD.")] = None
    end_date: Annotated[MdyDate | None, Field(serialization_alias="endDate", description="YYYY-MM-DD.")] = None
    cpc_bid: Annotated[Bid | None, Spend("bid"), Field(serialization_alias="cpcBid", description="CPC bid.")] = None
    cpa_bid: Annotated[Bid | None, Spend("bid"), Field(serialization_alias="cpaBid", description="CPA bid.")] = None
    filters: Annotated[OpenObject | None, Field(description="Which jobs belong (Joveo 'Create JobGroup Filters').")] = (
        None
    )
    caps: Annotated[OpenObject | None, Spend()] = None
    placements: Annotated[list[OpenObject] | None, Spend(), Field(max_length=200)] = None

    @model_validator(mode="after")
    def _order(self) -> Self:
        _dates_in_order(self.start_date, self.end_date)
        return self


class UpdateJobGroupParams(JobGroupParams):
    name: Annotated[str | None, Field(min_length=1, max_length=200)] = None
    cpa_bid: Annotated[
        Bid | None,
        Spend("bid"),
        Field(serialization_alias="cpaBid", description="Bid (the vendor names it cpaBid; its text says CPC)."),
    ] = None
    filters: OpenObject | None = None

    @model_validator(mode="after")
    def _something(self) -> Self:
        if self.name is None and self.cpa_bid is None and self.filters is None:
            raise ValueError("give name, cpa_bid and/or filters")
        return self


# --------------------------------------------------------------------------------- feeds


class FeedParams(ClientParams):
    feed_id: FeedId


class CreateFeedParams(ClientParams):
    xml_feed_url: Annotated[HttpUrl, Field(serialization_alias="xmlFeedUrl", description="XML feed URL.")]
    schema_mappings: Annotated[
        OpenObject | None, Field(serialization_alias="schemaMappings", description="Joveo field -> feed node name.")
    ] = None


class UpdateFeedParams(FeedParams):
    xml_feed_url: Annotated[HttpUrl | None, Field(serialization_alias="xmlFeedUrl")] = None
    schema_mappings: Annotated[OpenObject | None, Field(serialization_alias="schemaMappings")] = None
    schema_mapping_publisher: Annotated[
        OpenObject | None,
        Field(serialization_alias="schemaMappingPublisher", description="Feed node holding publishers."),
    ] = None

    @model_validator(mode="after")
    def _something(self) -> Self:
        if self.xml_feed_url is None and self.schema_mappings is None and self.schema_mapping_publisher is None:
            raise ValueError(
                "give xml_feed_url, schema_mappings and/or schema_mapping_publisher: Joveo's document shows "
                "the update-feed body as an empty object {}, which changes nothing, so nothing was sent"
            )
        return self


# ------------------------------------------------------------------------------- results


class NextPage(BaseModel):
    page: int
    limit: int


class Page(BaseModel):
    items: list[dict[str, Any]]
    page: int
    limit: int
    returned: int
    total: int | None = Field(default=None, description="All items, when Joveo reports it.")
    next: NextPage | None = Field(description="Arguments for the next page; null on the last page.")
    note: str | None = None


class ClientStatus(BaseModel):
    client_id: str
    status: str | None
    active: bool
    message: str | None = None


class StatsTask(BaseModel):
    task_id: str | None = Field(description="Poll it with joveo_wait_for_stats_report; null when Joveo returned none.")
    status: str
    location: list[str] = []
    message: str
    note: str | None = None


class JobGroupStatus(BaseModel):
    running: bool
    reasons: list[str] = Field(description="Why it cannot spend, outermost first; empty when running.")
    summary: str
    client_status: str | None
    campaign_status: str | None
    jobgroup_status: str | None
    campaign_name: str | None = None
    jobgroup_name: str | None = None
    start_date: str | None = None
    end_date: str | None = None
