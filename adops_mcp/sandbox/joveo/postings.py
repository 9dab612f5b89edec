"""Joveo sandbox handlers: Feeds (V34-V38), posting jobs and publisher configs (V39-V48)."""

from __future__ import annotations

import re
from typing import Any

from .common import ApiError, _bool_param, _Call, _iso, _number, _parse_iso, _public
from .state import JoveoState


class Postings(JoveoState):
    # Feeds V34-V38
    def _feed(self, call: _Call) -> dict[str, Any]:
        cid, feed_id = call.params["client_id"], call.params["feed_id"]
        self._client(cid)
        feed = self.feeds.get(feed_id)
        if feed is None or feed["clientId"] != cid:
            raise ApiError(404, f"Feed {feed_id} not found for client {cid}")
        return feed

    @staticmethod
    def _check_feed_url(body: dict[str, Any], required: bool) -> None:
        url = body.get("xmlFeedUrl")
        if url is None and not required:
            return
        if not isinstance(url, str) or not re.match(r"https?://", url):
            raise ApiError(400, "xmlFeedUrl must be an http(s) URL")

    def create_feed(self, call: _Call) -> Any:
        cid = call.params["client_id"]
        self._client(cid)
        body = call.obj()
        self._check_feed_url(body, required=True)
        feed_id = self._new_id("feed")
        self.feeds[feed_id] = self._feed_record(feed_id, cid, body, _iso(self._now()))
        return {"result": feed_id, "message": "Feed created"}

    def list_feeds(self, call: _Call) -> Any:
        cid = call.params["client_id"]
        self._client(cid)
        return self._paged(call, [_public(f) for f in self.feeds.values() if f["clientId"] == cid])

    def get_feed(self, call: _Call) -> Any:
        return _public(self._feed(call))

    def delete_feed(self, call: _Call) -> Any:
        del self.feeds[self._feed(call)["id"]]
        return {"result": True, "message": "Feed deleted"}

    def update_feed(self, call: _Call) -> Any:
        feed = self._feed(call)
        body = call.obj(allow_empty=True)
        self._check_feed_url(body, required=False)
        if "xmlFeedUrl" in body:
            feed["xmlFeedUrl"] = feed["source"] = body["xmlFeedUrl"]
        for key in ("schemaMappings", "schemaMappingPublisher"):
            if key in body:
                if not isinstance(body[key], dict):
                    raise ApiError(400, f"{key} must be a JSON object")
                feed[key] = body[key]
        feed["lastUpdated"] = _iso(self._now())
        return {"result": feed["id"], "message": "Feed updated"}

    # Posting jobs and configs V39-V48
    def publisher_jobs(self, call: _Call) -> Any:
        cid, pub = call.params["client_id"], call.params["publisher_id"]
        self._publisher(cid, pub)
        pinned = _bool_param(call.query, "pinned")
        jobs = [
            j
            for c in self.configs.values()
            if c["_client"] == cid and c["_publisher"] == pub
            for j in c["_jobs"].values()
            if j["isPosted"] and pinned in (None, j["isPinned"])
        ]
        return self._paged(call, jobs)

    def add_config_jobs(self, call: _Call) -> Any:
        cid, cfg_id = call.params["client_id"], call.params["config_id"]
        self._client(cid)
        cfg = self.configs.get(cfg_id)
        if cfg is None or cfg["_client"] != cid:
            raise ApiError(404, f"Config {cfg_id} not found for client {cid}")
        refs = call.json()
        if not isinstance(refs, list) or not all(isinstance(r, str) for r in refs):
            raise ApiError(400, "body must be a JSON array of job reference strings")
        added, failed = [], []
        for ref in refs:
            job = self.jobs[cid].get(ref)
            if ref in cfg["_jobs"]:
                failed.append({"refNumber": ref, "reason": "already in config"})
            elif job is None:
                failed.append({"refNumber": ref, "reason": "job not found"})
            elif not job["valid"]:
                failed.append({"refNumber": ref, "reason": "job is invalid"})
            elif len(cfg["_jobs"]) >= cfg["availableCount"]:
                failed.append({"refNumber": ref, "reason": "no available posting slots"})
            else:
                self._add_config_job(cfg, ref, _iso(self._now()))
                added.append(ref)
        return {"result": {"added": added, "failed": failed}, "message": "Create request processed"}

    def _config_body(self, body: dict[str, Any], create: bool) -> None:
        if create:
            for key in ("cost", "availableCount", "startDate", "endDate"):
                if key not in body:
                    raise ApiError(400, f"{key} is required")
        for key in ("cost",):
            if key in body:
                _number(body[key], key)
        for key in ("availableCount", "rotateFreqInDays", "jobDuration", "minJobDurationInDays"):
            if key in body:
                _number(body[key], key, integer=True)
        dates = {k: _parse_iso(body[k], k) for k in ("startDate", "endDate") if k in body}
        if len(dates) == 2 and dates["endDate"].date() < dates["startDate"].date():
            raise ApiError(400, "endDate must not be before startDate")

    def create_config(self, call: _Call) -> Any:
        cid, pub = call.params["client_id"], call.params["publisher_id"]
        self._publisher(cid, pub)
        body = call.obj()
        self._config_body(body, create=True)
        cfg_id = self._new_id("config")
        self.configs[cfg_id] = self._config_record(cfg_id, cid, pub, body, _iso(self._now()))
        return {"result": cfg_id, "message": "Config created"}

    def list_publisher_configs(self, call: _Call) -> Any:
        cid, pub = call.params["client_id"], call.params["publisher_id"]
        self._publisher(cid, pub)
        return {
            "data": [
                self._config_view(c) for c in self.configs.values() if c["_client"] == cid and c["_publisher"] == pub
            ]
        }

    def _cfg(self, call: _Call) -> dict[str, Any]:
        p = call.params
        return self._config(p["client_id"], p["publisher_id"], p["config_id"])

    def update_config(self, call: _Call) -> Any:
        cfg = self._cfg(call)
        body = call.obj()
        if "startDate" in body:
            raise ApiError(400, "startDate cannot be updated")
        self._config_body({"startDate": cfg["startDate"], **body}, create=False)
        for key in ("cost", "endDate", "availableCount", "rotateFreqInDays", "jobDuration", "minJobDurationInDays"):
            if key in body:
                cfg[key] = body[key]
        cfg["lastUpdated"] = _iso(self._now())
        return {"result": True, "message": "Config update processed"}

    def get_config(self, call: _Call) -> Any:
        return self._config_view(self._cfg(call))

    def delete_config(self, call: _Call) -> Any:
        del self.configs[self._cfg(call)["id"]]
        return {"result": True, "message": "Config update processed"}

    def config_jobs(self, call: _Call) -> Any:
        cfg = self._cfg(call)
        wanted = {k: _bool_param(call.query, k) for k in ("isPaused", "isPinned", "isPosted")}
        status = call.query.get("status")
        if status is not None and status not in ("A", "P"):
            raise ApiError(400, "status must be A or P")
        jobs = [
            j
            for j in cfg["_jobs"].values()
            if all(v is None or j[k] == v for k, v in wanted.items()) and status in (None, j["status"])
        ]
        return {"data": jobs}

    def config_job(self, call: _Call) -> Any:
        job = self._cfg(call)["_jobs"].get(call.params["job_reference"])
        if job is None:
            raise ApiError(404, f"Job {call.params['job_reference']} is not in this config")
        return job

    def list_client_configs(self, call: _Call) -> Any:
        cid = call.params["client_id"]
        self._client(cid)
        return self._paged(call, [self._config_view(c) for c in self.configs.values() if c["_client"] == cid])
