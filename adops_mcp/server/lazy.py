"""Listed now, built on first use: the SDK objects whose pydantic models would cost start-up time.

The SDK builds an argument model and a validated function for every tool, resource template and
prompt when it is registered; listing needs none of them. Each class here carries what is listed
and builds the SDK's own object from the same function on its first use, then hands every use to it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mcp.server.mcpserver.resources import (
    DEFAULT_RESOURCE_SECURITY,
    ResourceManager,
    ResourceSecurity,
    ResourceTemplate,
)
from mcp.shared.uri_template import UriTemplate
from mcp_types import Annotations, Icon, InputRequiredResult
from pydantic import PrivateAttr

if TYPE_CHECKING:
    from mcp.server.mcpserver import Context
    from mcp.server.mcpserver.resources import Resource


class LazyTemplate(ResourceTemplate):
    """A resource template as listed (`parameters` stays empty); the SDK's template is built on its first read."""

    _built: ResourceTemplate | None = PrivateAttr(default=None)

    def built(self) -> ResourceTemplate:
        if self._built is None:
            self._built = ResourceTemplate.from_function(
                self.fn,
                self.uri_template,
                name=self.name,
                title=self.title,
                description=self.description,
                mime_type=self.mime_type,
                icons=self.icons,
                annotations=self.annotations,
                meta=self.meta,
                security=self.security,
            )
        return self._built

    async def create_resource(
        self, uri: str, params: dict[str, Any], context: Context[Any, Any]
    ) -> Resource | InputRequiredResult:
        return await self.built().create_resource(uri, params, context)


class LazyResources(ResourceManager):
    """The server's resources: `MCPServer.resource` checks a template against its function, then registers
    it here as a LazyTemplate."""

    def add_template(
        self,
        fn: Callable[..., Any],
        uri_template: str,
        name: str | None = None,
        title: str | None = None,
        description: str | None = None,
        mime_type: str | None = None,
        icons: list[Icon] | None = None,
        annotations: Annotations | None = None,
        meta: dict[str, Any] | None = None,
        security: ResourceSecurity = DEFAULT_RESOURCE_SECURITY,
    ) -> ResourceTemplate:
        template = LazyTemplate(
            uri_template=uri_template,
            name=name or fn.__name__,
            title=title,
            description=description or fn.__doc__ or "",
            mime_type=mime_type or "text/plain",
            icons=icons,
            annotations=annotations,
            meta=meta,
            fn=fn,
            parameters={},
            parsed_template=UriTemplate.parse(uri_template),
            security=security,
        )
        self._templates[template.uri_template] = template
        return template
