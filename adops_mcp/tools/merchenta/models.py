"""Merchenta RTB API v3 parameters and trimmed results (VENDORS.md section 3)."""

from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ...vendorcall.operation import Params, Selects
from ...vendorcall.request import PathSafe

CampaignCode = Annotated[
    str,
    Field(
        serialization_alias="campaignCode",
        min_length=1,
        max_length=32,
        pattern=r"^[A-Za-z0-9-]+$",
        description="Campaign code; starts with the advertiser code, e.g. SANDBOX1-SUMMER-PENDING.",
    ),
    PathSafe,
    Selects(),
]
CreativeCode = Annotated[
    str,
    Field(
        serialization_alias="creativeCode",
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9._-]+$",
        description="Creative code; starts with its campaign code, e.g. SANDBOX1-SUMMER-PENDING-1.",
    ),
    PathSafe,
    Selects(prefixed=True),
]


class TargetStatus(StrEnum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"


Target = Annotated[
    TargetStatus,
    Field(description="ACTIVE (approved creative runs and buys media) or INACTIVE (paused)."),
]


class CampaignParams(Params):
    campaign_code: CampaignCode


class CreativeParams(Params):
    creative_code: CreativeCode


class SetCreativeStatusParams(Params):
    campaign_code: CampaignCode
    creative_code: CreativeCode
    status: Target

    @model_validator(mode="after")
    def _belongs(self) -> Self:
        if not self.creative_code.startswith(self.campaign_code + "-"):
            raise ValueError(
                f"creative_code {self.creative_code} does not start with campaign_code {self.campaign_code}- "
                "(Merchenta creative codes are prefixed with their campaign code)"
            )
        return self


class SetCampaignStatusParams(Params):
    campaign_code: CampaignCode
    status: Target


class _Vendor(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)  # validators built on first use


class CreativeStatus(_Vendor):
    creativeCode: str
    creativeID: str | None = None
    approvalStatus: str | None = Field(default=None, description="ACTIVE, INACTIVE, PENDING (under review), REJECTED.")
    approvalMessage: str | None = None
    latestUpdate: str | None = None


class CreativeStatusResult(CreativeStatus):
    explanation: str = Field(description="What the status means for delivery.")


class CampaignCreativesStatus(BaseModel):
    campaign_code: str
    delivering: bool = Field(description="True when at least one creative is ACTIVE (the campaign shows ads).")
    counts: dict[str, int] = Field(description="Creatives per status.")
    explanation: str
    creatives: list[CreativeStatus]
