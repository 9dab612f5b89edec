"""The Joveo simulator: every resource family's handlers behind one route table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from .campaigns import Campaigns
from .clients import Clients
from .common import ApiError, _Call
from .jobs import Jobs
from .postings import Postings
from .reports import Reports


class JoveoSimulator(Clients, Jobs, Campaigns, Postings, Reports):
    vendor = "joveo"

    # ------------------------------------------------------------------------------ routing

    def _endpoint(self, handler: Callable[[_Call], Any], auth: bool = True) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            call = _Call(dict(request.path_params), request.query_params, request.headers, await request.body())
            try:
                if auth:
                    self._authorize(call)
                result = handler(call)
            except ApiError as exc:
                return JSONResponse({"message": exc.message}, status_code=exc.status)
            return result if isinstance(result, Response) else JSONResponse(result)

        return endpoint

    def routes(self) -> list[BaseRoute]:
        c = "/v1/clients/{client_id}"
        camp = c + "/campaigns/{campaign_id}"
        jg = camp + "/jobgroups/{jobgroup_id}"
        job = c + "/jobs/{job_reference}"
        pub = c + "/publishers/{publisher_id}"
        cfg = pub + "/configs/{config_id}"
        table: list[tuple[str, str, Callable[[_Call], Any]]] = [
            ("POST", "/v1/clients", self.create_client),  # V2
            ("GET", "/v1/clients", self.list_clients),  # V3
            ("PUT", c, self.update_client),  # V4
            ("GET", c, self.get_client),  # V5
            ("DELETE", c, self.delete_client),  # V6
            ("GET", c + "/status", self.client_status),  # V7
            ("GET", c + "/cif-mappings", self.cif),  # V8
            ("POST", c + "/pause", self.pause_client),  # V9
            ("POST", c + "/enable", self.enable_client),  # V10
            ("POST", c + "/jobs", self.add_job),  # V11
            ("GET", c + "/jobs", self.list_jobs),  # V12
            ("GET", job, self.get_job),  # V13
            ("DELETE", job, self.delete_job),  # V14
            ("PUT", job, self.update_job),  # V15
            ("POST", job + "/pause", self.pause_job),  # V16
            ("POST", job + "/enable", self.enable_job),  # V17
            ("POST", "/v1/jobs/bulk", self.bulk_jobs),  # V18
            ("POST", c + "/campaigns", self.create_campaign),  # V19
            ("GET", c + "/campaigns", self.list_campaigns),  # V20
            ("GET", camp, self.get_campaign),  # V21
            ("DELETE", camp, self.delete_campaign),  # V22
            ("PUT", camp, self.update_campaign),  # V23
            ("POST", camp + "/pause", self.pause_campaign),  # V24
            ("POST", camp + "/enable", self.enable_campaign),  # V25
            ("POST", camp + "/jobgroups", self.create_jobgroup),  # V26
            ("GET", camp + "/jobgroups", self.list_campaign_jobgroups),  # V27
            ("GET", c + "/jobgroups", self.list_client_jobgroups),  # V28
            ("GET", jg, self.get_jobgroup),  # V29
            ("DELETE", jg, self.delete_jobgroup),  # V30
            ("PUT", jg, self.update_jobgroup),  # V31
            ("POST", jg + "/pause", self.pause_jobgroup),  # V32
            ("POST", jg + "/enable", self.enable_jobgroup),  # V33
            ("POST", c + "/feeds", self.create_feed),  # V34
            ("GET", c + "/feeds", self.list_feeds),  # V35
            ("GET", c + "/feeds/{feed_id}", self.get_feed),  # V36
            ("DELETE", c + "/feeds/{feed_id}", self.delete_feed),  # V37
            ("PUT", c + "/feeds/{feed_id}", self.update_feed),  # V38
            ("GET", pub + "/jobs", self.publisher_jobs),  # V39
            ("POST", c + "/configs/{config_id}/jobs", self.add_config_jobs),  # V40
            ("POST", pub + "/configs", self.create_config),  # V41
            ("GET", pub + "/configs", self.list_publisher_configs),  # V42
            ("PUT", cfg, self.update_config),  # V43
            ("GET", cfg, self.get_config),  # V44
            ("DELETE", cfg, self.delete_config),  # V45
            ("GET", cfg + "/jobs", self.config_jobs),  # V46
            ("GET", cfg + "/jobs/{job_reference}", self.config_job),  # V47
            ("GET", c + "/configs", self.list_client_configs),  # V48
            ("POST", "/v1/stats/reports", self.submit_stats),  # V49
            ("GET", "/v1/stats/reports/{taskId}/status", self.stats_status),  # V50
            ("POST", "/v1/stats/stream", self.stream_stats),  # V51
            ("GET", "/v1/meta", self.meta),  # V52
            ("POST", "/v1/rules/jobs", self.apply_rules),  # V53
            ("POST", "/v1/reports", self.create_report),  # V54
            ("POST", "/v1/reports/ip", self.create_ip_report),  # V55
            ("GET", "/v1/reports/{report_id}", self.get_report),  # V56
            ("POST", "/v1/funnel/candidate-status", self.funnel),  # V57
            ("POST", "/s2s/events", self.s2s),  # V58
            ("POST", "/v1/publisher-families/{publisherFamilyId}/reports", self.publisher_report),  # V59
            (
                "GET",
                "/v1/publisher-families/{publisherFamilyId}/reports/{reportId}",
                self.publisher_report_status,
            ),  # V60
        ]
        routes: list[BaseRoute] = [
            Route("/v1/access-token", self._endpoint(self.access_token, auth=False), methods=["POST"])  # V1
        ]
        routes += [Route(path, self._endpoint(handler), methods=[method]) for method, path, handler in table]
        return routes
