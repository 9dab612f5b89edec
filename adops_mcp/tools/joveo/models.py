"""Joveo parameters and trimmed results (VENDORS.md section 2).

Dates are taken as ISO YYYY-MM-DD and sent in Joveo's mm/dd/yyyy (clients, campaigns, job groups,
rules, stats); posting configs take ISO date-times. The conversion happens only on the wire
(serialization context {"wire": True}), so params round-trip unchanged through confirmation tokens.
Nested objects whose shape the vendor document does not show (caps, budget, filters, placements,
job settings) are open JSON objects.
"""

import re
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
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


def _iso_only(value: Any) -> Any:
    if isinstance(value, str) and not ISO_DATE.match(value.strip()):
        raise ValueError(f"use an ISO date YYYY-MM-DD such as 2025-06-01 (got {value!r}); it is sent as mm/dd/yyyy")
    return value


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


MdyDate = Annotated[date, BeforeValidator(_iso_only), PlainSerializer(_mdy, return_type=str)]
ClientDate = Annotated[date, BeforeValidator(_iso_only), PlainSerializer(_client_date, return_type=str)]
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
HttpUrl = Annotated[str, Field(max_length=2000, pattern=r"^https?://\S+$")]


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
    zip: Annotated[str | None, Field(max_length=20)] = None
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
            raise ValueError("give xml_feed_url, schema_mappings and/or schema_mapping_publisher")
        return self


# ------------------------------------------------------------------------------ postings


class PublisherParams(ClientParams):
    publisher_id: PublisherId


class PublisherJobsParams(PublisherParams):
    page: Page_ = 1
    limit: Limit = 50
    pinned: Annotated[bool | None, Field(description="Only pinned (true) or unpinned (false) jobs.")] = None


class PostingConfigParams(PublisherParams):
    config_id: ConfigId


class AddConfigJobsParams(ClientParams):
    config_id: ConfigId
    job_references: Annotated[
        list[JobReference],  # ids like any other: no spaces, separators or invisible characters (they reach the plan)
        Wire("none"),
        Field(min_length=1, max_length=1000, description="Job reference numbers to add."),
    ]


Count = Annotated[int, Field(ge=0, le=1000000)]


SAMPLE_DATE_FORMAT = "yyyy-MM-dd'T'HH:mm:ssZ"


class CreatePostingConfigParams(PublisherParams):
    cost: Annotated[float, Spend("bid"), Field(ge=0, description="Cost of the posting (money).")]
    start_date: Annotated[IsoDateTime, Field(serialization_alias="startDate", description="ISO date or date-time.")]
    end_date: Annotated[IsoDateTime, Field(serialization_alias="endDate", description="ISO date or date-time.")]
    available_count: Annotated[
        Count, Spend("volume"), Field(serialization_alias="availableCount", description="Posting slots.")
    ]
    date_format: Annotated[
        str | None,
        Field(
            serialization_alias="dateFormat",
            max_length=50,
            pattern=r"^[yMdHmsSXZT:/.\- ']+$",
            description="Java date pattern the dates are sent in (and declared to Joveo). The default is the "
            "document's sample, whose dates it sends as the sample does (2020-08-03T05:19:00.000Z).",
        ),
    ] = SAMPLE_DATE_FORMAT
    rotate_freq_in_days: Annotated[Count | None, Field(serialization_alias="rotateFreqInDays")] = None
    job_duration: Annotated[Count | None, Field(serialization_alias="jobDuration")] = None
    min_job_duration_in_days: Annotated[Count | None, Field(serialization_alias="minJobDurationInDays")] = None

    @model_validator(mode="after")
    def _order(self) -> Self:
        _dates_in_order(self.start_date, self.end_date)
        return self


class UpdatePostingConfigParams(PostingConfigParams):
    cost: Annotated[float | None, Spend("bid"), Field(ge=0, description="New cost (money).")] = None
    end_date: Annotated[IsoDateTime | None, Field(serialization_alias="endDate")] = None
    available_count: Annotated[Count | None, Spend("volume"), Field(serialization_alias="availableCount")] = None
    rotate_freq_in_days: Annotated[Count | None, Field(serialization_alias="rotateFreqInDays")] = None
    job_duration: Annotated[Count | None, Field(serialization_alias="jobDuration")] = None
    min_job_duration_in_days: Annotated[Count | None, Field(serialization_alias="minJobDurationInDays")] = None

    @model_validator(mode="after")
    def _something(self) -> Self:
        fields = (
            "cost",
            "end_date",
            "available_count",
            "rotate_freq_in_days",
            "job_duration",
            "min_job_duration_in_days",
        )
        if all(getattr(self, f) is None for f in fields):
            raise ValueError("give at least one field to change")
        return self


class ConfigJobsParams(PostingConfigParams):
    is_paused: Annotated[bool | None, Field(serialization_alias="isPaused")] = None
    is_pinned: Annotated[bool | None, Field(serialization_alias="isPinned")] = None
    is_posted: Annotated[bool | None, Field(serialization_alias="isPosted")] = None
    status: Annotated[Status | None, Field(description="A (active) or P (paused).")] = None


class ConfigJobParams(PostingConfigParams):
    job_reference: JobReference


# ------------------------------------------------------------------------ stats, reports


STATS_DAYS = 60  # "The data is available for last 60 days."
STATS_DEFAULT_DAYS = 30


class SubmitStatsParams(Params):
    client_id: HeaderClientId
    start_date: Annotated[
        MdyDate | None,
        Wire("none"),
        Field(description="YYYY-MM-DD, within the last 60 days (Joveo keeps no older stats). Default: 30 days ago."),
    ] = None
    end_date: Annotated[
        MdyDate | None, Wire("none"), Field(description="YYYY-MM-DD, within the last 60 days. Default: today.")
    ] = None
    campaign_ids: Annotated[list[CampaignId] | None, Wire("none"), Field(max_length=200)] = None
    jobgroup_ids: Annotated[list[JobGroupId] | None, Wire("none"), Field(max_length=200)] = None
    filters: Annotated[
        OpenObject | None,
        Wire("none"),
        Field(description="Joveo 'Async Stat Filters' object, sent as given; the dates and ids above are added to it."),
    ] = None
    primary_level: Annotated[StatsLevel, Wire("none"), Field(description="Row grain.")] = StatsLevel.JOBGROUP
    secondary_level: Annotated[StatsLevel | None, Wire("none")] = None
    tertiary_level: Annotated[StatsLevel | None, Wire("none")] = None

    @model_validator(mode="after")
    def _check(self) -> Self:
        _dates_in_order(self.start_date, self.end_date)
        levels = [lv for lv in (self.primary_level, self.secondary_level, self.tertiary_level) if lv is not None]
        if len(set(levels)) != len(levels):
            raise ValueError("primary_level, secondary_level and tertiary_level must be different")
        if self.tertiary_level is not None and self.secondary_level is None:
            raise ValueError("tertiary_level needs secondary_level")
        today = date.today()
        earliest = today - timedelta(days=STATS_DAYS)
        for name in ("start_date", "end_date"):
            value = getattr(self, name)
            if value is not None and value < earliest:
                raise ValueError(
                    f"Joveo keeps stats for the last 60 days only: {name} {value} is older than that "
                    f"(earliest {earliest})"
                )
            if value is not None and value > today:
                raise ValueError(f"{name} {value} is in the future; Joveo has stats of the last 60 days up to today")
        return self

    def window(self) -> tuple[date, date]:
        """The dates sent: the given ones, else the defaults the schema promises."""
        end = self.end_date or date.today()
        start = self.start_date or max(end - timedelta(days=STATS_DEFAULT_DAYS), date.today() - timedelta(STATS_DAYS))
        return start, end


class StatsTaskParams(Params):
    client_id: HeaderClientId
    task_id: Annotated[
        str,
        Field(
            serialization_alias="taskId",
            min_length=1,
            max_length=128,
            pattern=ID_PATTERN,
            description="task_id from joveo_submit_stats_report.",
        ),
        PathSafe,
    ]


class WaitStatsParams(StatsTaskParams):
    max_wait_seconds: Annotated[int, Wire("none"), Field(ge=1, le=300, description="Give up after this long.")] = 60


class ReportRequestParams(Params):
    client_id: HeaderClientId
    call_back_url: Annotated[
        HttpUrl | None,
        Field(serialization_alias="callBackUrl", description="Joveo calls it with SUCCESS/FAILED and the URL."),
    ] = None
    filter_by: Annotated[
        OpenObject | None, Field(serialization_alias="filterBy", description="Joveo 'Report Details FilterBy' object.")
    ] = None
    start_date: Annotated[MdyDate | None, Wire("none"), Field(description="YYYY-MM-DD, put in filterBy.")] = None
    end_date: Annotated[MdyDate | None, Wire("none"), Field(description="YYYY-MM-DD, put in filterBy.")] = None

    @model_validator(mode="after")
    def _order(self) -> Self:
        _dates_in_order(self.start_date, self.end_date)
        return self


class GroupedReportParams(ReportRequestParams):
    group_by: Annotated[StatsLevel, Field(serialization_alias="groupBy", description="Row grain.")]
    group_by_publisher: Annotated[
        bool | None, Field(serialization_alias="groupByPublisher", description="Also split by publisher.")
    ] = None


class ReportParams(Params):
    client_id: HeaderClientId
    report_id: Annotated[str, Field(pattern=ID_PATTERN, description="Report id."), PathSafe]


class MetaParams(Params):
    client_id: HeaderClientId


class PublisherReportParams(Params):
    publisher_family_id: Annotated[
        str,
        Field(
            serialization_alias="publisherFamilyId",
            min_length=1,
            max_length=64,
            pattern=ID_PATTERN,
            description="Publisher family id.",
        ),
        PathSafe,
    ]
    period: PublisherPeriod
    report_name: Annotated[str | None, Field(serialization_alias="reportName", max_length=200)] = None
    client_id: Annotated[ClientId | None, Selects(), Field(serialization_alias="clientId")] = None
    cur_locale: Annotated[
        str | None, Field(serialization_alias="curLocale", pattern=r"^[A-Z]{3}$", description="Currency, e.g. USD.")
    ] = None


class PublisherReportStatusParams(Params):
    publisher_family_id: Annotated[
        str, Field(serialization_alias="publisherFamilyId", min_length=1, max_length=64, pattern=ID_PATTERN), PathSafe
    ]
    report_id: Annotated[
        str, Field(serialization_alias="reportId", min_length=1, max_length=128, pattern=ID_PATTERN), PathSafe
    ]


# ------------------------------------------------------------------------------ tracking
# Tracking ids are opaque, but they are ids: the id grammar (PathSafe) refuses an empty, dotted,
# separator-carrying or invisible-character value before it can count a conversion twice or nowhere.


class CandidateStatus(BaseModel):
    model_config = ConfigDict(extra="forbid")
    job_application_id: Annotated[
        str, Field(serialization_alias="jobApplicationId", min_length=1, max_length=200), PathSafe
    ]
    candidate_status: Annotated[
        str,
        Field(
            serialization_alias="candidateStatus",
            min_length=1,
            max_length=100,
            description="New hiring stage, e.g. Interview.",
        ),
    ]
    timestamp: Annotated[str, Field(min_length=1, max_length=40, description="When it moved, e.g. ISO date-time.")]
    additional_details: Annotated[OpenObject | None, Field(serialization_alias="additionalDetails")] = None


class FunnelParams(Params):
    client_id: Annotated[HeaderClientId, Field(description="Joveo's internal client id.")]
    statuses: Annotated[list[CandidateStatus], Wire("none"), Field(min_length=1, max_length=1000)]


class S2SParams(Params):
    client_id: Annotated[ClientId, Wire("header", "client_id")]
    click_id: Annotated[
        str,
        Field(
            serialization_alias="clickId",
            min_length=1,
            max_length=200,
            description="Value of the jClickId URL parameter.",
        ),
        PathSafe,
    ]
    event: Annotated[ConversionEvent, Wire("none"), Field(description="Conversion type (sent as a=1|2|3).")]
    candidate_id: Annotated[str | None, Field(serialization_alias="candidateId", max_length=200), PathSafe] = None
    job_application_id: Annotated[
        str | None,
        Field(
            serialization_alias="jobApplicationId",
            max_length=200,
            description="Unique per apply; lets Joveo spot duplicates.",
        ),
        PathSafe,
    ] = None


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
