"""Joveo stats, reports and tracking parameters (V49-V60 of VENDORS.md section 2)."""

from datetime import date, timedelta
from typing import Annotated, Any, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from ...vendorcall.operation import Params, Selects, Wire
from ...vendorcall.request import PathSafe
from .models import (
    ID_PATTERN,
    CampaignId,
    ClientId,
    ConversionEvent,
    HeaderClientId,
    HttpUrl,
    JobGroupId,
    MdyDate,
    OpenObject,
    PublisherPeriod,
    StatsLevel,
    _dates_in_order,
)

# ------------------------------------------------------------------------ stats, reports


def _some_statuses(value: Any) -> Any:
    if value == []:
        raise ValueError(
            "give at least one candidate status: Joveo's document shows the body as an empty array [ ], "
            "which records nothing, so nothing was sent"
        )
    return value


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
    statuses: Annotated[
        list[CandidateStatus], BeforeValidator(_some_statuses), Wire("none"), Field(min_length=1, max_length=1000)
    ]


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
