"""Run every benchmark: `python bench/run.py`. Each prints its table and writes bench/results/<name>.json.

Exit status 0 even when a target is missed (the summary says which): benchmarks report, tests enforce.
Knobs: ADOPS_BENCH_RUNS (cold-start spawns, default 5), ADOPS_BENCH_CALLS (overhead calls, default 200).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import big_lists, cold_start, common, concurrency, context, idle_connections, overhead, search


def main() -> None:
    print(f"machine: {common.machine()}\n")
    results = {}
    for name, module in (
        ("context", context),
        ("cold_start", cold_start),
        ("overhead", overhead),
        ("concurrency", concurrency),
        ("big_lists", big_lists),
        ("search", search),
        ("idle_connections", idle_connections),
    ):
        results[name] = module.main()
    summary = {name: bool(r.get("ok")) for name, r in results.items()}
    common.write("summary", {"targets_met": summary})
    print(common.table("Targets", ["bench", "met"], [[k, "yes" if v else "NO"] for k, v in summary.items()]))
    print(f"\nJSON results in {common.RESULTS}")


if __name__ == "__main__":
    main()
