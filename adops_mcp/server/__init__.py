"""MCP wiring: registry, guard, audit store, vendor HTTP layer. `build_server` lives in `app`."""
