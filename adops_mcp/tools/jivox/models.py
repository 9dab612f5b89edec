"""Jivox parameters and trimmed results (VENDORS.md section 1)."""

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from ...vendorcall.operation import Params, Selects, Wire
from ...vendorcall.request import PathSafe

AccountId = Annotated[
    str,
    Field(serialization_alias="accountId", min_length=1, max_length=128, description="Jivox account id."),
    PathSafe,
    Selects(),
]
CampaignIdx = Annotated[
    int,
    Field(serialization_alias="retailCampaignIdx", ge=1, description="Retail campaign id (retailCampaignIdx)."),
]


class CampaignStatus(StrEnum):
    NEW = "NEW"
    DRAFT = "DRAFT"
    IN_PROGRESS = "IN_PROGRESS"
    FAILED = "FAILED"
    ACTIVE = "ACTIVE"
    PUBLISHED = "PUBLISHED"
    ENDED = "ENDED"
    EXAMINE = "EXAMINE"


class AssetGenerationType(StrEnum):
    png = "png"
    gif = "gif"
    video = "video"
    tiff = "tiff"


class AccountParams(Params):
    account_id: AccountId


class CampaignParams(Params):
    account_id: AccountId
    retail_campaign_idx: CampaignIdx


class ListCampaignsParams(Params):
    account_id: AccountId
    status: Annotated[CampaignStatus | None, Wire("none"), Field(description="Only campaigns in this status.")] = None
    name_contains: Annotated[
        str | None, Wire("none"), Field(max_length=100, description="Only names containing this text.")
    ] = None
    limit: Annotated[int, Field(ge=1, le=100, description="Page size.")] = 25
    offset: Annotated[int, Field(ge=0, description="Start at this position (from next_offset).")] = 0


class ActivateParams(CampaignParams):
    tracker_types: Annotated[
        list[Literal["GCM"]] | None,
        Field(
            serialization_alias="trackerTypes",
            min_length=1,
            description='Trackers to generate; Jivox documents one value, "GCM".',
        ),
    ] = None
    asset_generation_type: Annotated[AssetGenerationType | None, Field(serialization_alias="assetGenerationType")] = (
        None
    )


class ApprovalRequestParams(CampaignParams):
    user_name: Annotated[
        str,
        Field(
            serialization_alias="userName",
            min_length=1,
            max_length=200,
            description="Name of the person requesting approval.",
        ),
    ]
    user_email: Annotated[
        str,
        Field(
            serialization_alias="userEmail",
            pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
            max_length=254,
            description="E-mail of the requester (approvers reply to it).",
        ),
    ]


class _Vendor(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)  # validators built on first use


class CampaignSummary(_Vendor):
    retailCampaignIdx: int
    retailCampaignName: str | None = None
    status: str | None = None
    dspName: str | None = None
    dspCampaignId: str | None = None
    mediaPlanName: str | None = None


class CampaignPage(BaseModel):
    campaigns: list[CampaignSummary]
    count: int = Field(description="Campaigns matching, over all pages.")
    next_offset: int | None = Field(description="Pass as offset for the next page; null on the last page.")


class ListAccountsParams(Params):
    limit: Annotated[int, Field(ge=1, le=100, description="Page size.")] = 100
    offset: Annotated[int, Field(ge=0, description="Start at this position (from next_offset).")] = 0


class AccountSummary(_Vendor):
    accountId: str
    name: str | None = None


class AccountPage(BaseModel):
    accounts: list[AccountSummary] = Field(description="Accounts this API key can see: accountId and name.")
    next_offset: int | None = Field(description="Pass as offset for the next page; null on the last page.")


class ActivationStatus(_Vendor):
    status: str | None = None
    percentage: int | None = None
    message: str | None = None


class ApproverDetail(_Vendor):
    userEmail: str | None = None
    userName: str | None = None
    userId: int | None = Field(default=None, description="Jivox user id; -1 for an external approver.")
    approvalStatus: str | None = None


class ApprovalStatus(_Vendor):
    approvalIdx: int | None = None
    status: str | None = None
    requesterEmail: str | None = None
    requiredApprovals: int | None = None
    createdOn: str | None = None
    updatedOn: str | None = None
    approverDetails: list[ApproverDetail] = []
