"""Why is a Joveo job group (or one of its jobs) not spending? Read-only: the client -> campaign -> job group
cascade (the job group status flow), dates, and optionally one job."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import Field

from ...vendorcall.operation import Call, Operation
from ..diagnosis import Diagnoser, Diagnosis
from .flows import JOB, _mdy, get, jobgroup_status, settings
from .models import JobGroupParams, JobReference


class DiagnoseParams(JobGroupParams):
    job_reference: Annotated[JobReference | None, Field(description="Also check this job (refNumber).")] = None


async def diagnose(call: Call) -> Diagnosis:
    p = call.params
    ids = {"client_id": p.client_id, "campaign_id": p.campaign_id, "jobgroup_id": p.jobgroup_id}
    d = Diagnoser(f"Joveo job group {p.jobgroup_id}")
    s = await jobgroup_status(call)
    d.checked += ["joveo_get_client_status", "joveo_get_campaign", "joveo_get_jobgroup"]
    if s.jobgroup_name:
        d.subject += f" '{s.jobgroup_name}'"
    if s.campaign_name:
        d.subject += f" in campaign '{s.campaign_name}'"

    if s.client_status != "A":
        d.find(
            "client_paused", "blocking", "The client is paused: nothing under it spends.", client_status=s.client_status
        )
        d.step(
            "joveo_enable_client",
            "Enable the client (starts spend for all its active campaigns; the user confirms).",
            client_id=p.client_id,
        )
    if s.campaign_status != "A":
        d.find(
            "campaign_paused",
            "blocking",
            f"The campaign '{s.campaign_name}' is paused.",
            campaign_status=s.campaign_status,
        )
        d.step(
            "joveo_enable_campaign",
            "Enable the campaign (starts spend; the user confirms).",
            client_id=p.client_id,
            campaign_id=p.campaign_id,
        )
    if s.jobgroup_status != "A":
        d.find("jobgroup_paused", "blocking", "The job group itself is paused.", jobgroup_status=s.jobgroup_status)
        d.step("joveo_enable_jobgroup", "Enable the job group (starts spend; the user confirms).", **ids)
    elif s.client_status != "A" or s.campaign_status != "A":
        d.find(
            "held_by_parent",
            "info",
            "The job group's own status is active: its parent holds it.",
            jobgroup_status=s.jobgroup_status,
        )
    today = datetime.now(UTC).date()
    start, end = _mdy(s.start_date), _mdy(s.end_date)
    dates = {"start_date": s.start_date, "end_date": s.end_date, "today": today.isoformat()}
    if start is not None and today < start:
        d.find("not_started", "blocking", f"The job group starts on {s.start_date}.", **dates)
    if end is not None and today > end:
        d.find("ended", "blocking", f"The job group's end date {s.end_date} has passed.", **dates)
        d.step(
            "joveo_list_campaign_jobgroups",
            "Find a current job group (Joveo's update call cannot change dates).",
            client_id=p.client_id,
            campaign_id=p.campaign_id,
        )

    if p.job_reference:
        job: dict[str, Any] = await get(call, JOB, client_id=p.client_id, job_reference=p.job_reference) or {}
        d.read("joveo_get_job")
        job_args = {"client_id": p.client_id, "job_reference": p.job_reference}
        if job.get("valid") is False:
            d.find(
                "job_invalid",
                "blocking",
                f"Job {p.job_reference} is invalid (a required field is missing), so Joveo does not advertise it.",
                valid=False,
                title=job.get("title"),
                url=job.get("url"),
                city=job.get("city"),
                country=job.get("country"),
            )
            d.step(
                "joveo_get_job",
                "Joveo refuses updates to invalid jobs: the client fixes the job in its feed or ATS; check again then.",
                **job_args,
            )
        paused = settings(call).job_paused_status  # only ACTIVE is documented: a guess
        if job.get("status") == paused:
            d.find("job_paused", "blocking", f"Job {p.job_reference} is paused.", status=paused)
            if job.get("valid") is not False:
                d.step("joveo_enable_job", "Enable the job (the user confirms).", **job_args)

    if not d.blocked:
        d.find(
            "running",
            "info",
            "Client, campaign and job group are active and in dates.",
            client_status=s.client_status,
            campaign_status=s.campaign_status,
            jobgroup_status=s.jobgroup_status,
            **dates,
        )
        d.step(
            "joveo_submit_stats_report",
            "See clicks, applies and spend (stats exist only for running job groups).",
            client_id=p.client_id,
            jobgroup_ids=[p.jobgroup_id],
        )
    return d.result()


DIAGNOSE: Operation = Operation(
    name="joveo_diagnose_jobgroup",
    title="Diagnose a Joveo job group",
    description="Why is this job group (or one job) not spending? Checks client, campaign, job "
    "group, dates, job; returns reasons, evidence and the next tool. Read-only; "
    "status alone: joveo_get_jobgroup_status.",
    vendor="joveo",
    toolset="joveo_jobgroups",
    effect="read",
    params=DiagnoseParams,
    result=Diagnosis,
    run=diagnose,
)
