"""Joveo posting-config parameters (V39-V48 of VENDORS.md section 2): fixed-price job-board postings."""

from datetime import UTC
from typing import Annotated, Self

from pydantic import Field, model_validator

from ...vendorcall.operation import Wire
from ...vendorcall.spend import Spend
from .models import (
    ClientParams,
    ConfigId,
    IsoDateTime,
    JobReference,
    Limit,
    Page_,
    PublisherId,
    Status,
)

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
        # A posting runs from its start day to its end day: the document's own sample starts 05:19 and ends
        # 05:13 on the same day (2020-08-03), so the days are compared, not the times (UTC).
        start, end = self.start_date.astimezone(UTC).date(), self.end_date.astimezone(UTC).date()
        if end < start:
            raise ValueError(
                f"end_date ({end}) is a day before start_date ({start}); a posting runs from its start day to "
                "its end day (times within one day are not compared, as in Joveo's sample)"
            )
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
