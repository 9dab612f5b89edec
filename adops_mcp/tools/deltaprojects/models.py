"""Delta Projects DSP API v1 parameters and trimmed results (VENDORS.md section 4)."""

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ...vendorcall.operation import Params, Selects, Wire
from ...vendorcall.request import PathSafe
from ...vendorcall.spend import Spend

_ID = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"


def _id(alias: str, what: str) -> Any:
    return Field(serialization_alias=alias, pattern=_ID, description=f"{what} id (UUID).")


MediaAgencyId = Annotated[
    str | None,
    Field(
        serialization_alias="mediaAgencyId",
        pattern=_ID,
        description="Media agency id; leave out to use the configured one.",
    ),
    PathSafe,
    Selects(setting="media_agency_id"),
]
ClientId = Annotated[str, _id("clientId", "Client"), PathSafe, Selects()]
ActivityId = Annotated[str, _id("activityId", "Activity"), PathSafe]
BiddingPlanId = Annotated[str, _id("biddingPlanId", "Bidding plan"), PathSafe]
CreativeId = Annotated[str, _id("creativeId", "Creative"), PathSafe]


class AgencyParams(Params):
    media_agency_id: MediaAgencyId = None


class ClientParams(Params):
    client_id: ClientId
    media_agency_id: MediaAgencyId = None


class ListActivitiesParams(ClientParams):
    fetch: Annotated[
        Literal["biddingPlans", "biddingPlans.creatives"] | None,
        Field(description="Also attach each activity's bidding plans (and their creatives)."),
    ] = None


class ActivityParams(ClientParams):
    activity_id: ActivityId


class ListBiddingPlansParams(ActivityParams):
    include_creatives: Annotated[
        bool, Wire("none"), Field(description="Attach each plan's creatives (fetch=creatives).")
    ] = False


class BiddingPlanParams(ActivityParams):
    bidding_plan_id: BiddingPlanId


class CreativeParams(BiddingPlanParams):
    creative_id: CreativeId


class StatisticsParams(ActivityParams):
    start_date: Annotated[
        date | None, Wire("none"), Field(description="First day (YYYY-MM-DD); default: flight start.")
    ] = None
    end_date: Annotated[date | None, Wire("none"), Field(description="Last day, inclusive; default: flight stop.")] = (
        None
    )
    group_by: Annotated[
        Literal["bidding_plan", "bidding_platform", "format", "site"],
        Field(description="Rows per bidding plan (default), inventory channel, creative size or site."),
    ] = "bidding_plan"
    granularity: Annotated[Literal["none", "day"], Field(description="none: totals; day: one entry per day.")] = "none"
    sort_order: Annotated[Literal["ASC", "DESC"], Field(description="Row order by name (and days by date).")] = "ASC"
    limit: Annotated[int | None, Field(ge=1, le=1000, description="Keep only the first rows.")] = None

    @model_validator(mode="after")
    def _interval(self) -> Self:
        if (self.start_date is None) != (self.end_date is None):
            raise ValueError("give both start_date and end_date, or neither (the whole flight)")
        if self.start_date and self.end_date and self.start_date > self.end_date:
            raise ValueError("start_date must not be after end_date")
        return self


class GeoPoint(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lat: float = Field(ge=-90, le=90, description="Latitude, -90..90.")
    long: float = Field(ge=-180, le=180, description="Longitude, -180..180.")
    radius: float = Field(ge=0, description="Radius around the point (>= 0).")


Timestamp = datetime


def _utc(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


GeoDetails = Annotated[
    list[GeoPoint] | None,
    Field(
        serialization_alias="geoDetails",
        min_length=1,
        description="Geo targets (only when the template/activity already has geo targeting).",
    ),
]
ExcludeGeo = Annotated[
    bool | None,
    Field(serialization_alias="excludeGeo", description="true: exclude the geo targets instead of targeting them."),
]
OverrideVariables = Annotated[
    dict[str, Any] | None,
    Field(
        serialization_alias="overrideVariables",
        description='Ad-server tag variables to override, e.g. {"color": "red"}.',
    ),
]


class CreateActivityParams(ClientParams):
    template_id: Annotated[
        str,
        Field(
            serialization_alias="templateId",
            pattern=_ID,
            description="Activity template id (delta_list_activity_templates).",
        ),
    ]
    activity_name: Annotated[str, Field(serialization_alias="activityName", min_length=1, max_length=255)]
    flight_start: Annotated[
        Timestamp,
        Field(
            serialization_alias="flightStart", description="ISO 8601 start, e.g. 2026-01-01T00:00:00Z (UTC if no zone)."
        ),
    ]
    flight_stop: Annotated[
        Timestamp, Field(serialization_alias="flightStop", description="ISO 8601 stop, after the start.")
    ]
    order_id: Annotated[
        str, Field(serialization_alias="orderId", min_length=1, max_length=255, description="Order id."), PathSafe
    ]
    budget: Annotated[float, Spend(), Field(ge=0, description="Total budget in the client's currency.")]
    target_ecpm: Annotated[
        float | None,
        Spend("bid"),
        Field(serialization_alias="targetECPM", ge=0, description="Target eCPM; default: the template's."),
    ] = None
    impression_budget: Annotated[
        int | None,
        Spend("volume"),
        Field(serialization_alias="impressionBudget", ge=0, description="Total impressions; default: the template's."),
    ] = None
    override_variables: OverrideVariables = None
    enabled: Annotated[
        bool | None,
        Field(
            description="true starts delivery (and spend) right away and asks the user first; otherwise "
            "enabled: false is sent (never the template's preset)."
        ),
    ] = None
    geo_details: GeoDetails = None
    exclude_geo: ExcludeGeo = None

    @field_validator("flight_start", "flight_stop")
    @classmethod
    def _utc_times(cls, value: datetime) -> datetime | None:
        return _utc(value)

    @model_validator(mode="after")
    def _rules(self) -> Self:
        if self.flight_start >= self.flight_stop:
            raise ValueError("flight_start must be before flight_stop")
        if self.exclude_geo is not None and self.geo_details is None:
            raise ValueError("exclude_geo can only be used together with geo_details")
        return self


UPDATE_FIELDS = (
    "activity_name",
    "flight_stop",
    "target_ecpm",
    "order_id",
    "budget",
    "impression_budget",
    "override_variables",
    "enabled",
    "geo_details",
    "exclude_geo",
)


class UpdateActivityParams(ActivityParams):
    activity_name: Annotated[str | None, Field(serialization_alias="activityName", min_length=1, max_length=255)] = None
    flight_stop: Annotated[
        Timestamp | None,
        Field(serialization_alias="flightStop", description="New ISO 8601 stop (after the flight start)."),
    ] = None
    target_ecpm: Annotated[
        float | None, Spend("bid"), Field(serialization_alias="targetECPM", ge=0, description="Target eCPM.")
    ] = None
    order_id: Annotated[str | None, Field(serialization_alias="orderId", min_length=1, max_length=255), PathSafe] = None
    budget: Annotated[float | None, Spend(), Field(ge=0, description="New total budget in the client's currency.")] = (
        None
    )
    impression_budget: Annotated[int | None, Spend("volume"), Field(serialization_alias="impressionBudget", ge=0)] = (
        None
    )
    override_variables: OverrideVariables = None
    enabled: Annotated[bool | None, Field(description="true: deliver (spend); false: pause.")] = None
    geo_details: GeoDetails = None
    exclude_geo: Annotated[
        bool | None,
        Field(
            serialization_alias="excludeGeo",
            description="Exclude (true) or target (false) the geo targets; left out, the current value is kept.",
        ),
    ] = None

    @field_validator("flight_stop")
    @classmethod
    def _utc_stop(cls, value: datetime | None) -> datetime | None:
        return _utc(value)

    @model_validator(mode="after")
    def _something(self) -> Self:
        if all(getattr(self, name) is None for name in UPDATE_FIELDS):
            raise ValueError("nothing to update: give at least one field to change")
        return self


class _Vendor(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)  # validators built on first use


class Activity(_Vendor):
    id: str
    name: str | None = None
    flightStart: str | None = None
    flightStop: str | None = None
    enabled: bool | None = None
    budget: float | None = None
    impressionBudget: int | None = None
    currentTargetSpend: float | None = None
    currentTargetImpressions: int | None = None
    excludeGeo: bool | None = None
    geoDetails: list[dict[str, Any]] | None = None
