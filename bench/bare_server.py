"""The baseline for cold start: a bare MCPServer with one tool, over stdio, same environment."""

from mcp.server.mcpserver import MCPServer

server = MCPServer("bare")


@server.tool()
def echo(text: str) -> str:
    """Returns the text."""
    return text


if __name__ == "__main__":
    server.run("stdio")
