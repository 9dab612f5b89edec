"""Joveo sandbox handlers: Tokens (V1) and clients (V2-V10)."""

from __future__ import annotations

import hmac
import json
import re
import secrets
from typing import Any

from .common import TOKEN_TTL, ApiError, _b64, _Call, _JobStore, _number, _public
from .state import JoveoState


class Clients(JoveoState):
    def access_token(self, call: _Call) -> Any:
        api_key = call.headers.get("x-api-key")
        if not api_key or not any(hmac.compare_digest(api_key, k) for k in self.api_clients.values()):
            raise ApiError(401, "Missing or invalid x-api-key")
        client_id = call.obj().get("client_id")
        if not isinstance(client_id, str) or not client_id:
            raise ApiError(400, "client_id is required")
        if not hmac.compare_digest(self.api_clients.get(client_id, ""), api_key):
            raise ApiError(403, "Invalid client_id for this x-api-key")
        now = self.clock()
        header = _b64(json.dumps({"kid": "sandbox-joveo", "alg": "RS256"}).encode())
        claims = {
            "sub": client_id,
            "token_use": "access",
            "scope": "joveo/api",
            "iat": int(now),
            "exp": int(now + TOKEN_TTL),
            "jti": secrets.token_hex(8),
        }
        token = f"{header}.{_b64(json.dumps(claims).encode())}.{_b64(secrets.token_bytes(32))}"
        self.tokens[token] = (client_id, now + TOKEN_TTL)
        self.token_requests += 1
        return {"access_token": token, "expires_in": TOKEN_TTL, "token_type": "Bearer"}

    # Clients V2-V10
    def create_client(self, call: _Call) -> Any:
        body = call.obj()
        if not isinstance(body.get("companyName"), str) or not body["companyName"].strip():
            raise ApiError(400, "companyName is required")
        self._check_dates(body)
        tz = body.get("timeZone")
        if tz is not None and not (isinstance(tz, str) and re.fullmatch(r"UTC[+-]\d{1,2}:\d{2}", tz)):
            raise ApiError(400, "timeZone must look like UTC±Hh:mm, e.g. UTC-10:00")
        if "applyConvWindow" in body:
            _number(body["applyConvWindow"], "applyConvWindow", integer=True)
        cid = self._new_id("client")
        self.clients[cid] = self._client_record(cid, body)
        self.jobs[cid] = _JobStore(cid, "NEW" + cid[:4].upper(), body["companyName"], 0)
        self.cif_mappings[cid] = {}
        return {"result": cid, "message": "client created"}

    def list_clients(self, call: _Call) -> Any:
        return self._paged(call, [_public(c) for c in self.clients.values()])

    def get_client(self, call: _Call) -> Any:
        return _public(self._client(call.params["client_id"]))

    def update_client(self, call: _Call) -> Any:
        client = self._client(call.params["client_id"])
        body = call.obj()
        parts = {k: body[k] for k in ("budget", "applies") if k in body}
        if not parts or not all(isinstance(v, dict) for v in parts.values()):
            raise ApiError(400, "body needs a budget object and/or an applies object")
        client["caps"] = {**client["caps"], **parts}
        return {"result": True, "message": "Client Updated"}

    def delete_client(self, call: _Call) -> Any:
        cid = call.params["client_id"]
        self._client(cid)
        del self.clients[cid]
        for store in (self.campaigns, self.jobgroups, self.feeds, self.configs):
            for key in [k for k, v in store.items() if v.get("_client", v.get("clientId")) == cid]:
                del store[key]
        return {"result": True, "message": "Client Deleted"}

    def client_status(self, call: _Call) -> Any:
        return {"result": self._client(call.params["client_id"])["_status"], "message": "Status fetched successfully"}

    def cif(self, call: _Call) -> Any:
        self._client(call.params["client_id"])
        return dict(self.cif_mappings.get(call.params["client_id"], {}))

    def pause_client(self, call: _Call) -> Any:
        self._client(call.params["client_id"])["_status"] = "P"
        return {"result": True, "message": "Client paused"}

    def enable_client(self, call: _Call) -> Any:
        self._client(call.params["client_id"])["_status"] = "A"
        return {"result": True, "message": "Client enabled"}
