"""adops-mcp: an MCP server for campaign operations across Jivox, Joveo, Merchenta and Delta Projects."""

__version__ = "0.1.0"
