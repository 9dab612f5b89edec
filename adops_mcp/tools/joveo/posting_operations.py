"""Joveo postings, stats, reports and tracking (V39-V60 of VENDORS.md section 2) as operation records;
operations.py lists them with the rest."""

from __future__ import annotations

from ...vendorcall.operation import Operation
from . import flows as f
from . import models as m
from . import plans as p
from . import posting_models as pm
from . import report_models as rm
from . import spend as s
from .declare import CONFIG, PUBLISHER, WIP, C, op

POSTING_AND_REPORTING: tuple[Operation, ...] = (
    # --------------------------------------------------------------- postings V39-V48
    op(
        "joveo_list_publisher_jobs",
        "List Joveo jobs posted on a publisher",
        "Lists a client's jobs posted on one publisher (optionally only pinned or "
        "unpinned), one page at a time; one posting config's jobs: "
        "joveo_list_posting_config_jobs.",
        "postings",
        "read",
        "GET",
        PUBLISHER + "/jobs",
        pm.PublisherJobsParams,
        run=f.lister("posting_job"),
        result=m.Page,
    ),
    op(
        "joveo_add_jobs_to_posting_config",
        "Add jobs to a Joveo posting config",
        "Adds jobs (by reference) to a "
        "posting config so they are posted on its publisher, using paid slots (Joveo's document mislabels this "
        "'get all jobs of specific posting'). Asks the user to confirm.",
        "postings",
        "destructive",
        "POST",
        C + "/configs/{config_id}/jobs",
        pm.AddConfigJobsParams,
        run=f.body_list,
        plan=p.add_config_jobs_plan,
    ),
    op(
        "joveo_create_posting_config",
        "Create a Joveo posting config",
        "Buys fixed-price postings of a client on a publisher (cost, slots, dates). Asks the user to confirm.",
        "postings",
        "destructive",
        "POST",
        PUBLISHER + "/configs",
        pm.CreatePostingConfigParams,
        plan=p.create_config_plan,
        spend=s.posting_config_spend,
    ),
    op(
        "joveo_list_publisher_posting_configs",
        "List Joveo posting configs on a publisher",
        "Lists a client's posting configs on one publisher (cost, slots used, active); "
        "on all publishers: joveo_list_posting_configs.",
        "postings",
        "read",
        "GET",
        PUBLISHER + "/configs",
        pm.PublisherParams,
        run=f.unpaged("config"),
        result=m.Page,
    ),
    op(
        "joveo_update_posting_config",
        "Update a Joveo posting config",
        "Changes a posting config's cost, end "
        "date, slots or rotation (changes spend; applied asynchronously). Asks the user to confirm.",
        "postings",
        "destructive",
        "PUT",
        CONFIG,
        pm.UpdatePostingConfigParams,
        plan=p.update_config_plan,
        spend=s.posting_config_spend,
    ),
    op(
        "joveo_get_posting_config",
        "Get a Joveo posting config",
        "Reads one posting config: cost, slots used, dates, active, billing. To find ids: joveo_list_posting_configs.",
        "postings",
        "read",
        "GET",
        CONFIG,
        pm.PostingConfigParams,
        resource="joveo://clients/{client_id}/publishers/{publisher_id}/configs/{config_id}",
    ),
    op(
        "joveo_delete_posting_config",
        "Delete a Joveo posting config",
        "Deletes a posting config (irreversible; its postings stop). Asks the user to confirm.",
        "postings",
        "destructive",
        "DELETE",
        CONFIG,
        pm.PostingConfigParams,
        plan=p.delete_config_plan,
    ),
    op(
        "joveo_list_posting_config_jobs",
        "List jobs of a Joveo posting config",
        "Lists the jobs in a posting config, filtered by paused, pinned, posted or "
        "status; one job's state: joveo_get_posting_config_job.",
        "postings",
        "read",
        "GET",
        CONFIG + "/jobs",
        pm.ConfigJobsParams,
        run=f.unpaged("posting_job"),
        result=m.Page,
    ),
    op(
        "joveo_get_posting_config_job",
        "Get one job of a Joveo posting config",
        "Reads one job's posting state in a config (posted, pinned, paused); all its "
        "jobs: joveo_list_posting_config_jobs.",
        "postings",
        "read",
        "GET",
        CONFIG + "/jobs/{job_reference}",
        pm.ConfigJobParams,
    ),
    op(
        "joveo_list_posting_configs",
        "List a Joveo client's posting configs",
        "Lists all posting configs of a client across publishers, one page at a time; "
        "one publisher's: joveo_list_publisher_posting_configs. One in full: "
        "joveo_get_posting_config.",
        "postings",
        "read",
        "GET",
        C + "/configs",
        m.ClientListParams,
        run=f.lister("config"),
        result=m.Page,
    ),
    # ------------------------------------------------------- stats and reports V49-V56, V59-V60
    op(
        "joveo_submit_stats_report",
        "Request Joveo stats",
        "Starts a stats report task for a client (dates within the last 60 days; default the last 30; by job "
        "group, campaign, client or job). Each call starts a new task. Then call joveo_wait_for_stats_report.",
        "stats",
        "write",
        "POST",
        "/v1/stats/reports",
        rm.SubmitStatsParams,
        run=f.submit_stats,
        result=m.StatsTask,
    ),
    op(
        "joveo_get_stats_report_status",
        "Poll a Joveo stats report",
        "Reads a stats task's status once (IN_PROGRESS, SUCCESS with download location, "
        "NO_RECORDS_FOUND); to poll until done: joveo_wait_for_stats_report.",
        "stats",
        "read",
        "GET",
        f.STATS_STATUS,
        rm.StatsTaskParams,
        run=f.stats_status,
        result=m.StatsTask,
    ),
    op(
        "joveo_wait_for_stats_report",
        "Wait for a Joveo stats report",
        "Polls a task of joveo_submit_stats_report until it is done or max_wait_seconds "
        "pass; returns the report location, or the task id to try later.",
        "stats",
        "read",
        "GET",
        f.STATS_STATUS,
        rm.WaitStatsParams,
        run=f.wait_stats,
        result=m.StatsTask,
    ),
    op(
        "joveo_stream_stats",
        "Stream Joveo stats",
        WIP + "Returns stats rows at once (no task, unlike joveo_submit_stats_report), "
        "grouped by job, job group, campaign or client. Ratios (CPC, CPA, ...) are per "
        "row: never sum or average them.",
        "stats",
        "read",
        "POST",
        "/v1/stats/stream",
        rm.GroupedReportParams,
        run=f.stream_stats,
        idempotent=True,
    ),
    op(
        "joveo_generate_stats_report",
        "Generate a Joveo stats report",
        WIP + "Starts a stats report that calls call_back_url when done; returns its id for "
        "joveo_get_report. Without a callback: joveo_submit_stats_report.",
        "stats",
        "write",
        "POST",
        "/v1/reports",
        rm.GroupedReportParams,
        run=f.report_request,
    ),
    op(
        "joveo_generate_ip_report",
        "Generate a Joveo IP report",
        "Starts an IP report for a client; returns its id for joveo_get_report.",
        "stats",
        "write",
        "POST",
        "/v1/reports/ip",
        rm.ReportRequestParams,
        run=f.report_request,
    ),
    op(
        "joveo_get_report",
        "Get a Joveo report",
        "Reads the status and download URL of a report of joveo_generate_stats_report "
        "or joveo_generate_ip_report (stats tasks: joveo_get_stats_report_status).",
        "stats",
        "read",
        "GET",
        "/v1/reports/{report_id}",
        rm.ReportParams,
    ),
    op(
        "joveo_request_publisher_report",
        "Request a Joveo publisher report",
        "For Joveo publisher partners only: starts a report for a publisher family and "
        "period; read it with joveo_get_publisher_report.",
        "stats",
        "write",
        "POST",
        "/v1/publisher-families/{publisherFamilyId}/reports",
        rm.PublisherReportParams,
        run=f.publisher_report,
    ),
    op(
        "joveo_get_publisher_report",
        "Get a Joveo publisher report",
        "For Joveo publisher partners only: reads the status of a report of joveo_request_publisher_report.",
        "stats",
        "read",
        "GET",
        "/v1/publisher-families/{publisherFamilyId}/reports/{reportId}",
        rm.PublisherReportStatusParams,
    ),
    # --------------------------------------------------------------- tracking V57-V58
    op(
        "joveo_update_candidate_status",
        "Send candidate statuses to Joveo",
        "Reports hiring-stage changes of job applications in bulk (funnel tracking); feeds Joveo's CPA/CPH metrics.",
        "tracking",
        "write",
        "POST",
        "/v1/funnel/candidate-status",
        rm.FunnelParams,
        run=f.funnel,
    ),
    op(
        "joveo_send_s2s_event",
        "Send a Joveo S2S conversion",
        "Sends one server-to-server conversion (view, "
        "apply start, apply) for a click; counts toward billing metrics, so send each apply once.",
        "tracking",
        "write",
        "POST",
        "/s2s/events",
        rm.S2SParams,
        run=f.s2s,
    ),
)
