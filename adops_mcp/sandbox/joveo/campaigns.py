"""Joveo sandbox handlers: Campaigns (V19-V25) and job groups (V26-V33)."""

from __future__ import annotations

from typing import Any

from .common import ApiError, _Call, _iso, _mdy, _number, _public
from .state import JoveoState


class Campaigns(JoveoState):
    # Campaigns V19-V25
    def create_campaign(self, call: _Call) -> Any:
        cid = call.params["client_id"]
        self._client(cid)
        body = call.obj()
        if not isinstance(body.get("name"), str) or not body["name"].strip():
            raise ApiError(400, "name is required")
        self._check_dates(body)
        camp_id = self._new_id("campaign")
        self.campaigns[camp_id] = self._campaign_record(camp_id, cid, body, _iso(self._now()))
        return {"result": camp_id, "message": "campaign created"}

    def _campaign_view(self, camp: dict[str, Any]) -> dict[str, Any]:
        out = _public(camp)
        out["children"] = {"jobGroupIds": [j["id"] for j in self.jobgroups.values() if j["_campaign"] == camp["id"]]}
        return out

    def list_campaigns(self, call: _Call) -> Any:
        cid = call.params["client_id"]
        self._client(cid)
        return self._paged(call, [self._campaign_view(c) for c in self.campaigns.values() if c["_client"] == cid])

    def get_campaign(self, call: _Call) -> Any:
        return self._campaign_view(self._campaign(call.params["client_id"], call.params["campaign_id"]))

    def delete_campaign(self, call: _Call) -> Any:
        camp = self._campaign(call.params["client_id"], call.params["campaign_id"])
        del self.campaigns[camp["id"]]
        for jg_id in [k for k, v in self.jobgroups.items() if v["_campaign"] == camp["id"]]:
            del self.jobgroups[jg_id]
        return {"result": True, "message": "Campaign deleted"}

    def update_campaign(self, call: _Call) -> Any:
        camp = self._campaign(call.params["client_id"], call.params["campaign_id"])
        caps = call.obj().get("caps")
        if not isinstance(caps, dict):
            raise ApiError(400, "caps object is required")
        camp["caps"] = {**camp["caps"], **caps}
        return {"result": True, "message": "Campaign updated"}

    def _set_campaign_status(self, call: _Call, status: str, action: str) -> Any:
        self._campaign(call.params["client_id"], call.params["campaign_id"])["activeStatus"] = status
        return {"result": True, "message": f"Campaign {action}"}

    def pause_campaign(self, call: _Call) -> Any:
        return self._set_campaign_status(call, "P", "paused")

    def enable_campaign(self, call: _Call) -> Any:
        return self._set_campaign_status(call, "A", "enabled")

    # Job groups V26-V33
    def create_jobgroup(self, call: _Call) -> Any:
        cid, camp_id = call.params["client_id"], call.params["campaign_id"]
        self._campaign(cid, camp_id)
        body = call.obj()
        if not isinstance(body.get("name"), str) or not body["name"].strip():
            raise ApiError(400, "name is required")
        self._check_dates(body)
        body.setdefault("startDate", _mdy(self._today()))
        body.setdefault("endDate", "12/31/2099")
        for bid in ("cpcBid", "cpaBid"):
            if body.get(bid) is not None:
                _number(body[bid], bid)
        for key, kind in (("filters", dict), ("caps", dict), ("placements", list)):
            if key in body and not isinstance(body[key], kind):
                raise ApiError(400, f"{key} must be a JSON {'object' if kind is dict else 'array'}")
        jg_id = self._new_id("jobgroup")
        self.jobgroups[jg_id] = self._jobgroup_record(jg_id, cid, camp_id, body, _iso(self._now()))
        return {"result": jg_id, "message": "Jobgroup created"}

    def list_campaign_jobgroups(self, call: _Call) -> Any:
        camp = self._campaign(call.params["client_id"], call.params["campaign_id"])
        return self._paged(call, [_public(j) for j in self.jobgroups.values() if j["_campaign"] == camp["id"]])

    def list_client_jobgroups(self, call: _Call) -> Any:
        cid = call.params["client_id"]
        self._client(cid)
        return self._paged(call, [_public(j) for j in self.jobgroups.values() if j["_client"] == cid])

    def _jg(self, call: _Call) -> dict[str, Any]:
        p = call.params
        return self._jobgroup(p["client_id"], p["campaign_id"], p["jobgroup_id"])

    def get_jobgroup(self, call: _Call) -> Any:
        return _public(self._jg(call))

    def delete_jobgroup(self, call: _Call) -> Any:
        del self.jobgroups[self._jg(call)["id"]]
        return {"result": True, "message": "Jobgroup deleted"}

    def update_jobgroup(self, call: _Call) -> Any:
        jg = self._jg(call)
        body = call.obj()
        allowed = ("name", "cpaBid", "cpcBid", "filters")
        if not any(k in body for k in allowed):
            raise ApiError(400, "nothing to update: send name, cpaBid, cpcBid or filters")
        if "name" in body and (not isinstance(body["name"], str) or not body["name"].strip()):
            raise ApiError(400, "name must be a non-empty string")
        for bid in ("cpaBid", "cpcBid"):
            if bid in body:
                _number(body[bid], bid)
        if "filters" in body and not isinstance(body["filters"], dict):
            raise ApiError(400, "filters must be a JSON object")
        for key in allowed:
            if key in body:
                jg["Compound Filters" if key == "filters" else key] = body[key]
        return {"result": True, "message": "Jobgroup updated"}

    def pause_jobgroup(self, call: _Call) -> Any:
        self._jg(call)["activeStatus"] = "P"
        return {"result": True, "message": "Jobgroup paused"}

    def enable_jobgroup(self, call: _Call) -> Any:
        self._jg(call)["activeStatus"] = "A"
        return {"result": True, "message": "Jobgroup enabled"}
