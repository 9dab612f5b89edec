"""Listed now, built on first use: the SDK objects whose pydantic models would cost start-up time.

The SDK builds an argument model and a validated function for every tool, resource template and
prompt when it is registered; listing needs none of them. Each class here carries what is listed
and builds the SDK's own object from the same function on its first use, then hands every use to it.
"""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mcp.server.mcpserver.exceptions import ResourceNotFoundError
from mcp.server.mcpserver.prompts import Prompt
from mcp.server.mcpserver.prompts.base import PromptArgument
from mcp.server.mcpserver.resources import (
    DEFAULT_RESOURCE_SECURITY,
    ResourceManager,
    ResourceSecurity,
    ResourceTemplate,
)
from mcp.server.mcpserver.tools import Tool
from mcp.server.mcpserver.utilities.context_injection import find_context_parameter
from mcp.server.mcpserver.utilities.func_metadata import ArgModelBase, FuncMetadata
from mcp.shared.uri_template import UriTemplate
from mcp_types import Annotations, Icon, InputRequiredResult
from pydantic import AnyUrl, PrivateAttr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

if TYPE_CHECKING:
    from mcp.server.mcpserver import Context
    from mcp.server.mcpserver.prompts.base import Message
    from mcp.server.mcpserver.resources import Resource

SCHEMAS = Path(__file__).with_name("tool_schemas.json")  # every tool's schemas as served (tests/test_schemas.py)


@functools.cache
def packaged_schemas() -> dict[str, Any]:
    """Tool name -> {"inputSchema", "outputSchema"}, exactly what the models produce (a test keeps them equal)."""
    return json.loads(SCHEMAS.read_text(encoding="utf-8")) if SCHEMAS.exists() else {}


async def _unbuilt(**_: Any) -> None:
    raise AssertionError("a LazyTool runs its built tool")


class LazyTool(Tool):
    """A listed tool whose schemas were computed ahead; the real tool is built on its first call."""

    _build: Callable[[], Tool] | None = PrivateAttr(default=None)
    _built: Tool | None = PrivateAttr(default=None)

    @classmethod
    def ahead(cls, build: Callable[[], Tool], **info: Any) -> Tool:
        """The tool `build` makes, listed from its packaged schemas when there are any, else built now."""
        served = packaged_schemas().get(info["name"])
        if served is None:
            return build()
        tool = cls(
            fn=_unbuilt,
            parameters=served["inputSchema"],
            fn_metadata=FuncMetadata(arg_model=ArgModelBase, output_schema=served["outputSchema"]),
            is_async=True,
            **info,
        )
        tool._build = build
        return tool

    def built(self) -> Tool:
        if self._built is None:
            assert self._build is not None
            self._built = self._build()
        return self._built

    async def run(self, arguments: dict[str, Any], context: Any, convert_result: bool = False) -> Any:
        return await self.built().run(arguments, context, convert_result=convert_result)


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

    async def get_resource(self, uri: AnyUrl | str, context: Context[Any, Any]) -> Resource | InputRequiredResult:
        """The resource at `uri`; an unknown URI is answered with the resources and templates that exist."""
        try:
            return await super().get_resource(uri, context)
        except ResourceNotFoundError as exc:
            known = [*self._resources, *self._templates]
            raise ResourceNotFoundError(
                f"Unknown resource: {uri}. The resources here: {', '.join(known) or 'none'}."
            ) from exc


class LazyPrompt(Prompt):
    """A prompt listed from its function's signature; the SDK's prompt is built on its first use."""

    _built: Prompt | None = PrivateAttr(default=None)

    @classmethod
    def ahead(
        cls,
        fn: Callable[..., Any],
        name: str | None,
        title: str | None,
        description: str | None,
        icons: list[Icon] | None,
    ) -> LazyPrompt:
        return cls(
            name=name or fn.__name__,
            title=title,
            description=description or fn.__doc__ or "",
            arguments=prompt_arguments(fn),
            fn=fn,
            icons=icons,
        )

    def built(self) -> Prompt:
        if self._built is None:
            self._built = Prompt.from_function(
                self.fn, name=self.name, title=self.title, description=self.description, icons=self.icons
            )
        return self._built

    async def render(
        self, arguments: dict[str, Any] | None, context: Context[Any, Any]
    ) -> list[Message] | InputRequiredResult:
        return await self.built().render(arguments, context)


def prompt_arguments(fn: Callable[..., Any]) -> list[PromptArgument]:
    """The arguments the SDK lists for a prompt function: each parameter's name, its field's description, whether
    it is required (tests/test_prompts.py keeps them equal to what `Prompt.from_function` computes)."""
    context = find_context_parameter(fn)
    arguments = []
    for p in inspect.signature(fn, eval_str=True).parameters.values():
        if p.name == context:
            continue
        field = FieldInfo.from_annotated_attribute(
            p.annotation, PydanticUndefined if p.default is inspect.Parameter.empty else p.default
        )
        arguments.append(PromptArgument(name=p.name, description=field.description, required=field.is_required()))
    return arguments
