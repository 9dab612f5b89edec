"""Joveo sandbox handlers: Jobs (V11-V18)."""

from __future__ import annotations

from typing import Any

from .common import MANDATORY_JOB_FIELDS, MAX_JOBS_REACHABLE, MAX_LIMIT, ApiError, _Call, _iso
from .state import JoveoState


class Jobs(JoveoState):
    # Jobs V11-V18
    def add_job(self, call: _Call) -> Any:
        cid = call.params["client_id"]
        self._client(cid)
        body = call.obj()
        ref = body.get("refNumber")
        if not isinstance(ref, str) or not ref.strip():
            raise ApiError(400, "refNumber is required")
        store = self.jobs[cid]
        if store.get(ref) is not None:
            raise ApiError(400, f"a job with refNumber {ref} already exists")
        now = _iso(self._now())
        job = {k: v for k, v in body.items() if k != "jobType"}
        job.update(
            zip=str(body["zip"]) if "zip" in body else "",
            jobId=store.job_id(ref),
            type=body.get("jobType", "FULL_TIME"),
            createdAtDate=now,
            updatedAtDate=now,
            modifiedDate=now,
            pubDate=body.get("publishedDate", now),
            postedDate=now,
            clientId=cid,
            status="ACTIVE",
        )
        for key in ("additionalFields", "publisherFields", "jobSetting"):
            job.setdefault(key, {})
        job.setdefault("placementSettings", [])
        job["valid"] = all(job.get(f) for f in MANDATORY_JOB_FIELDS)
        store.put(job)
        return {"result": job["jobId"], "message": "Job created"}

    def list_jobs(self, call: _Call) -> Any:
        cid = call.params["client_id"]
        self._client(cid)
        store = self.jobs[cid]
        skip, end = self._page(call, cap=MAX_JOBS_REACHABLE, first=1)
        data = []
        for n, ref in enumerate(store.refs()):
            if n >= end:
                break
            if n >= skip:
                data.append(store.get(ref))
        return {"data": data, "summary": store.total()}

    def get_job(self, call: _Call) -> Any:
        return self._job(call.params["client_id"], call.params["job_reference"])

    def delete_job(self, call: _Call) -> Any:
        cid, ref = call.params["client_id"], call.params["job_reference"]
        self._job(cid, ref)
        self.jobs[cid].delete(ref)
        return {"result": True, "message": "Job deleted"}

    def update_job(self, call: _Call) -> Any:
        cid, ref = call.params["client_id"], call.params["job_reference"]
        job = dict(self._valid_job(cid, ref, "updated"))
        body = call.obj()
        if "refNumber" in body and body["refNumber"] != ref:
            raise ApiError(400, "refNumber cannot be changed")
        for key, value in body.items():
            if key == "jobType":
                job["type"] = value
            elif key == "zip":
                job["zip"] = str(value)
            elif key not in ("jobId", "clientId", "valid", "status"):
                job[key] = value
        job["updatedAtDate"] = job["modifiedDate"] = _iso(self._now())
        job["valid"] = all(job.get(f) for f in MANDATORY_JOB_FIELDS)
        self.jobs[cid].put(job)
        return {"result": job["jobId"], "message": "Job updated"}

    def _set_job_status(self, call: _Call, status: str, action: str) -> Any:
        cid, ref = call.params["client_id"], call.params["job_reference"]
        job = dict(self._valid_job(cid, ref, action))
        job["status"] = status
        self.jobs[cid].put(job)
        return {"result": True, "message": f"Job {action}"}

    def pause_job(self, call: _Call) -> Any:
        return self._set_job_status(call, "PAUSED", "paused")

    def enable_job(self, call: _Call) -> Any:
        return self._set_job_status(call, "ACTIVE", "enabled")

    def bulk_jobs(self, call: _Call) -> Any:
        cid = self._scoped(call.query.get("client_id"), "query parameter client_id")
        ids = call.json()
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise ApiError(400, "body must be a JSON array of jobId strings")
        if len(ids) > MAX_LIMIT:
            raise ApiError(400, f"at most {MAX_LIMIT} jobIds per request")
        store = self.jobs[cid]
        return [job for job in (store.by_job_id(i) for i in ids) if job is not None]
