"""The vendor-call layer: what every vendor tool builds on, below the MCP wiring.

`operation` (the Operation record and the request builder), `http` (VendorClient: auth, retries,
deadlines, errors), `secrets` (credential scrubbing), `sanitize` (vendor text is data) and
`results` (the shapes every tool returns). Nothing here imports `server/`, `tools/` or the sandbox.
"""
