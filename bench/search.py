"""Search quality and speed: top-1 / top-3 of adops_find_tools' ranking on plain-language requests.

The requests are in tests/search/: `tune.txt` (ranking changes are judged on it), `heldout.txt` (written
before the ranking, not tuned on) and `fresh.txt` (written once the ranking was built, never read miss by
miss): the last two show whether the ranking generalises. One line per request: `request | tool`.
Measured on the ranking itself over the whole catalogue (every vendor configured), as
adops_find_tools runs it; ms per search is the mean over every request after the index is built.
`--misses` prints every request whose tool is not first.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import table, write

REQUESTS = Path(__file__).resolve().parents[1] / "tests" / "search"
SPEED_TARGET_MS = 5.0


def load(name: str) -> list[tuple[str, str]]:
    """(request, expected tool) pairs of one request file."""
    pairs = []
    for line in (REQUESTS / f"{name}.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            request, tool = line.rsplit("|", 1)
            pairs.append((request.strip(), tool.strip()))
    return pairs


def evaluate(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    from adops_mcp.server.search import catalogue_index

    ranking = catalogue_index()
    top1 = top3 = 0
    misses = []
    started = time.perf_counter()
    for request, tool in pairs:
        names = [hit.name for hit in ranking.rank(request, limit=5)[:3]]
        top1 += names[:1] == [tool]
        top3 += tool in names
        if names[:1] != [tool]:
            misses.append({"request": request, "expected": tool, "got": names})
    ms = (time.perf_counter() - started) * 1000 / max(1, len(pairs))
    return {"requests": len(pairs), "top1": top1, "top3": top3, "ms_per_search": round(ms, 3), "misses": misses}


def main(show_misses: bool = False) -> dict[str, Any]:
    from adops_mcp.server.search import catalogue_index

    started = time.perf_counter()
    catalogue_index()
    build_ms = (time.perf_counter() - started) * 1000
    sets = {name: evaluate(load(name)) for name in ("tune", "heldout", "fresh")}
    rows = [
        [
            name,
            r["requests"],
            f"{r['top1']} ({100 * r['top1'] / r['requests']:.0f}%)",
            f"{r['top3']} ({100 * r['top3'] / r['requests']:.0f}%)",
            r["ms_per_search"],
        ]
        for name, r in sets.items()
    ]
    print(table("adops_find_tools ranking", ["set", "requests", "top-1", "top-3", "ms/search"], rows))
    slowest = max(r["ms_per_search"] for r in sets.values())
    ok = slowest <= SPEED_TARGET_MS
    print(f"index built in {build_ms:.1f} ms; slowest {slowest} ms per search (target <= {SPEED_TARGET_MS})\n")
    if show_misses:  # the tuning set's only: reading the held-out misses would tune on them
        for miss in sets["tune"]["misses"]:
            print(f"{miss['request']!r}: expected {miss['expected']}, got {miss['got']}")
    result = {"sets": sets, "index_build_ms": round(build_ms, 1), "ok": ok}
    write("search", result)
    return result


if __name__ == "__main__":
    main(show_misses="--misses" in sys.argv)
