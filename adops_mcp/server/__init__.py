"""MCP wiring: tool synthesis (registry), running calls (runtime), confirmation, guard, store; see `app`."""
