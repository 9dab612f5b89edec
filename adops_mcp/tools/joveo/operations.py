"""Joveo programmatic job advertising: V2-V60 of VENDORS.md section 2 as tools.

V1 (access token) is internal (client.py). Paths are the PROPOSED table; client scoping follows
the vendor: path for most resources, header x-client-id for stats/meta/rules/reports/funnel, header
client_id for S2S, query client_id for the bulk job fetch; every tool takes it as `client_id`.
"""

from __future__ import annotations

from ...config import JoveoSettings, VendorSettings
from ...vendorcall.operation import Operation
from ..vendor import Vendor
from . import flows as f
from . import models as m
from . import plans as p
from . import report_models as rm
from . import scope
from . import spend as s
from .client import make_client
from .declare import CAMPAIGN, FEED, JOB, JOBGROUP, WIP, C, op
from .diagnose import DIAGNOSE
from .posting_operations import POSTING_AND_REPORTING
from .undo import REVERSALS

OPERATIONS: tuple[Operation, ...] = (
    # ------------------------------------------------------------------ clients V2-V10
    op(
        "joveo_create_client",
        "Create a Joveo client",
        "Creates a client (employer) of the agency with its dates, time zone and caps (sets spend limits). "
        "Asks the user to confirm. Returns the new client id.",
        "clients",
        "destructive",
        "POST",
        "/v1/clients",
        m.CreateClientParams,
        plan=s.create_client_plan,
        spend=s.create_spend,
    ),
    op(
        "joveo_list_clients",
        "List Joveo clients",
        "Lists the agency's clients (id, name), a page at a time; one client's settings: joveo_get_client.",
        "clients",
        "read",
        "GET",
        "/v1/clients",
        m.ListParams,
        run=f.lister("client"),
        result=m.Page,
        default=True,
    ),
    op(
        "joveo_update_client",
        "Update a Joveo client's budget or applies cap",
        "Changes a client's budget and/or applies cap (changes spend). Asks the user to confirm.",
        "clients",
        "destructive",
        "PUT",
        C,
        m.UpdateClientParams,
        plan=p.update_client_plan,
        spend=s.update_client_spend,
    ),
    op(
        "joveo_get_client",
        "Get a Joveo client",
        "Reads one client (ids: joveo_list_clients): dates, time zone, ATS, caps, "
        "excluded publishers. Active or paused: joveo_get_client_status.",
        "clients",
        "read",
        "GET",
        C,
        m.ClientParams,
    ),
    op(
        "joveo_delete_client",
        "Delete a Joveo client",
        "Deletes a client with everything under it (irreversible). To stop its spend "
        "reversibly: joveo_pause_client. Asks the user to confirm.",
        "clients",
        "destructive",
        "DELETE",
        C,
        m.ClientParams,
        plan=p.state_plan("client", "delete"),
    ),
    op(
        "joveo_get_client_status",
        "Get a Joveo client's status",
        "Reads only whether a client is active (A) or paused (P); its settings: joveo_get_client.",
        "clients",
        "read",
        "GET",
        C + "/status",
        m.ClientParams,
        run=f.client_status,
        result=m.ClientStatus,
        resource="joveo://clients/{client_id}/status",
    ),
    op(
        "joveo_get_cif_mappings",
        "Get a Joveo client's custom field mappings",
        "Reads the client's custom idx field mappings (feed field -> cif1, cif2, ...).",
        "clients",
        "read",
        "GET",
        C + "/cif-mappings",
        m.ClientParams,
    ),
    op(
        "joveo_pause_client",
        "Pause a Joveo client",
        "Pauses a client: all its campaigns and job groups stop spending (one campaign: "
        "joveo_pause_campaign). Undo with joveo_enable_client. Asks the user to "
        "confirm.",
        "clients",
        "destructive",
        "POST",
        C + "/pause",
        m.ClientParams,
        plan=p.state_plan("client", "pause"),
        unchanged=p.already("client", "pause"),
    ),
    op(
        "joveo_enable_client",
        "Enable a Joveo client",
        "Enables a paused client (after joveo_pause_client): its active campaigns and "
        "job groups spend again. Asks the user to confirm.",
        "clients",
        "destructive",
        "POST",
        C + "/enable",
        m.ClientParams,
        plan=p.state_plan("client", "enable"),
        unchanged=p.already("client", "enable"),
    ),
    # --------------------------------------------------------------------- jobs V11-V18
    op(
        "joveo_add_job",
        "Add a Joveo job",
        "Adds one new job to a client (refNumber must be new); active job groups whose "
        "filters match start advertising it (spend). Asks the user to confirm. To resume a paused job: "
        "joveo_enable_job.",
        "jobs",
        "destructive",
        "POST",
        C + "/jobs",
        m.AddJobParams,
        plan=s.add_job_plan,
        spend=s.create_spend,
    ),
    op(
        "joveo_list_jobs",
        "List Joveo jobs",
        "Lists a client's jobs (ref, title, place, status, valid; no descriptions), one "
        "page at a time, with the total. Joveo serves the first 10,000. One job in "
        "full: joveo_get_job.",
        "jobs",
        "read",
        "GET",
        C + "/jobs",
        m.ListJobsParams,
        run=f.list_jobs,
        result=m.Page,
    ),
    op(
        "joveo_get_job",
        "Get a Joveo job",
        "Reads one job in full by its reference number, with status (ACTIVE/PAUSED) and "
        "valid. Many by jobId: joveo_get_jobs_bulk; all: joveo_list_jobs.",
        "jobs",
        "read",
        "GET",
        JOB,
        m.JobParams,
        resource="joveo://clients/{client_id}/jobs/{job_reference}",
    ),
    op(
        "joveo_delete_job",
        "Delete a Joveo job",
        "Deletes a job (irreversible). To stop it reversibly: joveo_pause_job. Asks the user to confirm.",
        "jobs",
        "destructive",
        "DELETE",
        JOB,
        m.JobParams,
        plan=p.state_plan("job", "delete"),
    ),
    op(
        "joveo_update_job",
        "Update a Joveo job",
        "Changes fields of a valid job (title, url, location, dates, settings; settings change spend); only "
        "the fields given are sent. Asks the user to confirm.",
        "jobs",
        "destructive",
        "PUT",
        JOB,
        m.UpdateJobParams,
        check=p.job_valid_check,
        plan=s.update_job_plan,
        spend=s.update_job_spend,
    ),
    op(
        "joveo_pause_job",
        "Pause a Joveo job",
        "Pauses one valid job so it is no longer advertised (a whole job group: "
        "joveo_pause_jobgroup). Undo with joveo_enable_job. Asks the user to confirm.",
        "jobs",
        "destructive",
        "POST",
        JOB + "/pause",
        m.JobParams,
        check=p.job_valid_check,
        plan=p.state_plan("job", "pause"),
        unchanged=p.already("job", "pause"),
    ),
    op(
        "joveo_enable_job",
        "Enable a Joveo job",
        "Enables a paused valid job (after joveo_pause_job) so it is advertised "
        "(spends) again; a new job: joveo_add_job. Asks the user to confirm.",
        "jobs",
        "destructive",
        "POST",
        JOB + "/enable",
        m.JobParams,
        check=p.job_valid_check,
        plan=p.state_plan("job", "enable"),
        unchanged=p.already("job", "enable"),
    ),
    op(
        "joveo_get_jobs_bulk",
        "Get Joveo jobs by jobId",
        "Reads up to 100 jobs of a client by jobId (trimmed; read-only despite being a "
        "POST). One job by reference: joveo_get_job.",
        "jobs",
        "read",
        "POST",
        "/v1/jobs/bulk",
        m.BulkJobsParams,
        run=f.bulk_jobs,
        result=m.Page,
        idempotent=True,
    ),
    op(
        "joveo_apply_job_rules",
        "Apply Joveo job rules",
        WIP + "Creates a rule that pauses or enables many jobs at once by conditions (one "
        "job: joveo_pause_job). Asks the user to confirm.",
        "jobs",
        "destructive",
        "POST",
        "/v1/rules/jobs",
        m.RulesParams,
        run=f.rules,
        check=scope.rules_check,
        plan=p.rules_plan,
        spend=s.rules_spend,
    ),
    # ---------------------------------------------------------------- campaigns V19-V25
    op(
        "joveo_create_campaign",
        "Create a Joveo campaign",
        "Creates a campaign for a client (name, dates, caps). It spends only through "
        "active job groups: add them with joveo_create_jobgroup. Asks the user to confirm.",
        "campaigns",
        "destructive",
        "POST",
        C + "/campaigns",
        m.CreateCampaignParams,
        plan=s.create_campaign_plan,
        spend=s.create_spend,
    ),
    op(
        "joveo_list_campaigns",
        "List Joveo campaigns",
        "Lists a client's campaigns with status (A active, P paused) and dates, one "
        "page at a time. One in full: joveo_get_campaign; with job groups: "
        "joveo_get_metadata.",
        "campaigns",
        "read",
        "GET",
        C + "/campaigns",
        m.ClientListParams,
        run=f.lister("campaign"),
        result=m.Page,
    ),
    op(
        "joveo_get_campaign",
        "Get a Joveo campaign",
        "Reads one campaign: status, caps, job group ids. To find ids: joveo_list_campaigns.",
        "campaigns",
        "read",
        "GET",
        CAMPAIGN,
        m.CampaignParams,
        resource="joveo://clients/{client_id}/campaigns/{campaign_id}",
    ),
    op(
        "joveo_delete_campaign",
        "Delete a Joveo campaign",
        "Deletes a campaign and its job groups (irreversible). To stop its spend "
        "reversibly: joveo_pause_campaign. Asks the user to confirm.",
        "campaigns",
        "destructive",
        "DELETE",
        CAMPAIGN,
        m.CampaignParams,
        plan=p.state_plan("campaign", "delete"),
    ),
    op(
        "joveo_update_campaign",
        "Update a Joveo campaign's caps",
        "Replaces caps of a campaign (changes spend). Asks the user to confirm.",
        "campaigns",
        "destructive",
        "PUT",
        CAMPAIGN,
        m.UpdateCampaignParams,
        plan=p.update_campaign_plan,
        spend=s.update_campaign_spend,
    ),
    op(
        "joveo_pause_campaign",
        "Pause a Joveo campaign",
        "Pauses a campaign: all its job groups stop spending (one job group: "
        "joveo_pause_jobgroup). Undo with joveo_enable_campaign. Asks the user to "
        "confirm.",
        "campaigns",
        "destructive",
        "POST",
        CAMPAIGN + "/pause",
        m.CampaignParams,
        plan=p.state_plan("campaign", "pause"),
        unchanged=p.already("campaign", "pause"),
    ),
    op(
        "joveo_enable_campaign",
        "Enable a Joveo campaign",
        "Enables a paused campaign (after joveo_pause_campaign): its active job groups "
        "spend again. Asks the user to confirm.",
        "campaigns",
        "destructive",
        "POST",
        CAMPAIGN + "/enable",
        m.CampaignParams,
        plan=p.state_plan("campaign", "enable"),
        unchanged=p.already("campaign", "enable"),
    ),
    op(
        "joveo_get_metadata",
        "Get Joveo campaign and job group metadata",
        "Reads all campaigns of a client with their job groups (ids, names, statuses) "
        "in one call; campaigns alone, paged: joveo_list_campaigns.",
        "campaigns",
        "read",
        "GET",
        "/v1/meta",
        rm.MetaParams,
    ),
    # -------------------------------------------------------------- job groups V26-V33
    op(
        "joveo_create_jobgroup",
        "Create a Joveo job group",
        "Creates a job group (jobs by filters, bids, caps, placements) in an existing "
        "campaign (joveo_create_campaign); it starts spending when active. Asks the "
        "user to confirm.",
        "jobgroups",
        "destructive",
        "POST",
        CAMPAIGN + "/jobgroups",
        m.CreateJobGroupParams,
        plan=p.create_jobgroup_plan,
        spend=s.create_spend,
    ),
    op(
        "joveo_list_campaign_jobgroups",
        "List a Joveo campaign's job groups",
        "Lists the job groups of one campaign with status, dates and bids, one page at "
        "a time; across all campaigns: joveo_list_client_jobgroups.",
        "jobgroups",
        "read",
        "GET",
        CAMPAIGN + "/jobgroups",
        m.CampaignListParams,
        run=f.lister("jobgroup"),
        result=m.Page,
    ),
    op(
        "joveo_list_client_jobgroups",
        "List a Joveo client's job groups",
        "Lists all job groups of a client across campaigns, one page at a time; one "
        "campaign's: joveo_list_campaign_jobgroups.",
        "jobgroups",
        "read",
        "GET",
        C + "/jobgroups",
        m.ClientListParams,
        run=f.lister("jobgroup"),
        result=m.Page,
    ),
    op(
        "joveo_get_jobgroup",
        "Get a Joveo job group",
        "Reads one job group's settings: status, filters, bids, caps, placements. Why "
        "it is not spending: joveo_get_jobgroup_status.",
        "jobgroups",
        "read",
        "GET",
        JOBGROUP,
        m.JobGroupParams,
        resource="joveo://clients/{client_id}/campaigns/{campaign_id}/jobgroups/{jobgroup_id}",
    ),
    op(
        "joveo_delete_jobgroup",
        "Delete a Joveo job group",
        "Deletes a job group (irreversible). To stop its spend reversibly: "
        "joveo_pause_jobgroup. Asks the user to confirm.",
        "jobgroups",
        "destructive",
        "DELETE",
        JOBGROUP,
        m.JobGroupParams,
        plan=p.state_plan("jobgroup", "delete"),
    ),
    op(
        "joveo_update_jobgroup",
        "Update a Joveo job group",
        "Changes a job group's name, bid or filters (changes spend). Asks the user to confirm.",
        "jobgroups",
        "destructive",
        "PUT",
        JOBGROUP,
        m.UpdateJobGroupParams,
        plan=p.update_jobgroup_plan,
        spend=s.update_jobgroup_spend,
    ),
    op(
        "joveo_pause_jobgroup",
        "Pause a Joveo job group",
        "Pauses a job group so it stops spending (its whole campaign: "
        "joveo_pause_campaign). Undo with joveo_enable_jobgroup. Asks the user to "
        "confirm.",
        "jobgroups",
        "destructive",
        "POST",
        JOBGROUP + "/pause",
        m.JobGroupParams,
        plan=p.state_plan("jobgroup", "pause"),
        unchanged=p.already("jobgroup", "pause"),
    ),
    op(
        "joveo_enable_jobgroup",
        "Enable a Joveo job group",
        "Enables a paused job group (after joveo_pause_jobgroup) so it spends again if "
        "its campaign and client are active. Asks the user to confirm.",
        "jobgroups",
        "destructive",
        "POST",
        JOBGROUP + "/enable",
        m.JobGroupParams,
        plan=p.state_plan("jobgroup", "enable"),
        unchanged=p.already("jobgroup", "enable"),
    ),
    op(
        "joveo_get_jobgroup_status",
        "Is a Joveo job group running?",
        "Explains whether a job group can spend and why not: its client or campaign "
        "paused, itself paused, or outside its dates. Jobs and next steps too: "
        "joveo_diagnose_jobgroup.",
        "jobgroups",
        "read",
        None,
        None,
        m.JobGroupParams,
        run=f.jobgroup_status,
        result=m.JobGroupStatus,
        resource="joveo://clients/{client_id}/campaigns/{campaign_id}/jobgroups/{jobgroup_id}/status",
    ),
    DIAGNOSE,
    # ------------------------------------------------------------------- feeds V34-V38
    op(
        "joveo_create_feed",
        "Create a Joveo feed",
        "Adds an XML job feed to a client; Joveo imports its jobs (one job by hand: joveo_add_job).",
        "feeds",
        "write",
        "POST",
        C + "/feeds",
        m.CreateFeedParams,
    ),
    op(
        "joveo_list_feeds",
        "List Joveo feeds",
        "Lists a client's job feeds (URL, active), one page at a time; one feed's mappings: joveo_get_feed.",
        "feeds",
        "read",
        "GET",
        C + "/feeds",
        m.ClientListParams,
        run=f.lister("feed"),
        result=m.Page,
    ),
    op(
        "joveo_get_feed",
        "Get a Joveo feed",
        "Reads one feed: URL, schema mappings, mandatory fields. To find ids: joveo_list_feeds.",
        "feeds",
        "read",
        "GET",
        FEED,
        m.FeedParams,
    ),
    op(
        "joveo_delete_feed",
        "Delete a Joveo feed",
        "Deletes a feed (irreversible; its jobs may go). Asks the user to confirm.",
        "feeds",
        "destructive",
        "DELETE",
        FEED,
        m.FeedParams,
        plan=p.delete_feed_plan,
    ),
    op(
        "joveo_update_feed",
        "Update a Joveo feed",
        "Changes a feed's URL or schema mappings.",
        "feeds",
        "write",
        "PUT",
        FEED,
        m.UpdateFeedParams,
    ),
    *POSTING_AND_REPORTING,
)

TOOLSETS = (
    "joveo_clients",
    "joveo_jobs",
    "joveo_campaigns",
    "joveo_jobgroups",
    "joveo_feeds",
    "joveo_postings",
    "joveo_stats",
    "joveo_tracking",
)

S2S = "/s2s/events"  # the one path Joveo's document gives


def path_setting(name: str) -> str:
    return f"ADOPS_JOVEO_PATH_{name.removeprefix('joveo_').upper()}"


def guessed_paths(settings: VendorSettings) -> dict[str, str]:
    """Every Joveo path but /s2s/events is a guess: "METHOD path" in effect -> the setting that changes it
    (operations sharing a method and path follow the first one's setting, as the plans' reads do)."""
    assert isinstance(settings, JoveoSettings)
    found = {f"POST {settings.token_path}": "ADOPS_JOVEO_TOKEN_PATH"}
    first: dict[tuple[str | None, str], str] = {}
    for record in OPERATIONS:
        if record.path is None or record.path == S2S:
            continue
        name = first.setdefault((record.method, record.path), record.name)
        path = settings.paths.get(name.removeprefix("joveo_"), record.path)
        found.setdefault(f"{record.method} {path}", path_setting(name))
    return found


VENDOR = Vendor(
    name="joveo",
    display="Joveo",
    operations=OPERATIONS,
    make_client=make_client,
    toolsets=TOOLSETS,
    guessed_paths=guessed_paths,
    reversals=REVERSALS,
)
