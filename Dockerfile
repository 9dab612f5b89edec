# adops-mcp over streamable HTTP (http://<host>:8765/mcp, health at /healthz).
#   docker build -t adops-mcp .
#   docker run --rm -p 8765:8765 -e ADOPS_HTTP_TOKENS=... -e ADOPS_ALLOWED_HOSTS=localhost,mcp.example.com \
#     -e ADOPS_JIVOX_BASE_URL=... -e ADOPS_JIVOX_API_KEY=... adops-mcp
# The server refuses to start without ADOPS_HTTP_TOKENS (bearer tokens) and ADOPS_ALLOWED_HOSTS (the Host
# names clients use): it binds 0.0.0.0 here. Put TLS in front of it. Replicas: share ADOPS_CONFIRM_KEY and
# ADOPS_DATABASE_URL.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    ADOPS_DATA_DIR=/data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY adops_mcp ./adops_mcp
RUN pip install ".[postgres]" \
    && useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin adops \
    && mkdir -p /data && chown adops /data

USER 10001
VOLUME ["/data"]
EXPOSE 8765
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8765/healthz', timeout=4)"]

# uvicorn stops on SIGTERM and gives requests in flight 10 s.
CMD ["adops-mcp", "serve", "--transport", "http", "--host", "0.0.0.0", "--port", "8765"]
