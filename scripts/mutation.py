"""Mutation testing of the safety core: `python scripts/mutation.py` prints the score.

Each mutant is one meaningful change to a safety module (a dropped check, a flipped comparison, a
skipped scrub, an off-by-one on a cap), applied to a private copy of the package and run against the
test selection that exercises it (`pytest -x`, so a killed mutant stops at its first failing test).
The mutants are data (scripts/mutants.toml): each names its file, the exact text it replaces, the
replacement and the tests that must fail. A mutant whose text no longer occurs in the code is reported
as stale (the code moved: update it), never silently skipped. Equivalent mutants (a change that cannot
alter behaviour) are listed with the reason instead of being run.

    python scripts/mutation.py              # every mutant, one at a time, then the score
    python scripts/mutation.py -k guard     # only mutants whose id contains "guard"
    python scripts/mutation.py --jobs 2     # two copies side by side
    python scripts/mutation.py --list

Exit status 0 only when every mutant is killed (and none is stale).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTANTS_FILE = Path(__file__).with_name("mutants.toml")


@dataclass(frozen=True)
class Mutant:
    id: str
    file: str  # under the repository root
    old: str
    new: str
    tests: tuple[str, ...]


def load(path: Path = MUTANTS_FILE) -> tuple[list[Mutant], dict[str, str]]:
    """The mutant set and the equivalent changes (name -> why) from the data file."""
    data = tomllib.loads(path.read_text())
    mutants = [Mutant(m["id"], "adops_mcp/" + m["file"], m["old"], m["new"], tuple(m["tests"])) for m in data["mutant"]]
    ids = [m.id for m in mutants]
    if duplicated := sorted({i for i in ids if ids.count(i) > 1}):
        raise SystemExit(f"{path.name}: duplicate mutant ids {duplicated}")
    return mutants, dict(data.get("equivalent", {}))


def copy_tree(target: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", ".mypy_cache", ".ruff_cache")
    for name in ("adops_mcp", "tests"):
        shutil.copytree(ROOT / name, target / name, ignore=ignore)
    for name in ("pyproject.toml", "conftest.py"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, target / name)


def run_tests(tree: Path, tests: tuple[str, ...], timeout: float) -> tuple[int, str]:
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", *tests]
    try:
        done = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return -1, "timeout"
    return done.returncode, done.stdout[-2000:] + done.stderr[-2000:]


def run_mutant(tree: Path, mutant: Mutant, timeout: float) -> str:
    path = tree / mutant.file
    original = path.read_text()
    if original.count(mutant.old) != 1:
        return "stale"
    path.write_text(original.replace(mutant.old, mutant.new))
    try:
        code, _ = run_tests(tree, mutant.tests, timeout)
    finally:
        path.write_text(original)
    if code == -1:
        return "killed (timeout)"
    return "killed" if code in (1, 2, 3) else "survived" if code == 0 else f"error (pytest exit {code})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-k", default="", help="only mutants whose id contains this text")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--list", action="store_true", help="list the mutants and whether each still applies")
    parser.add_argument("--no-baseline", action="store_true", help="skip checking that the selections pass unmutated")
    args = parser.parse_args()
    every, equivalent = load()
    mutants = [mt for mt in every if args.k in mt.id]
    if args.list:
        stale = 0
        for mt in mutants:
            applies = (ROOT / mt.file).read_text().count(mt.old) == 1
            stale += not applies
            print(f"{'ok   ' if applies else 'STALE'} {mt.id}  [{mt.file}]  -> {' '.join(mt.tests)}")
        return 1 if stale else 0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="adops-mutation-") as tmp:
        trees = [Path(tmp) / f"tree{i}" for i in range(max(1, args.jobs))]
        for tree in trees:
            copy_tree(tree)
        if not args.no_baseline:
            selection = tuple(sorted({t for mt in mutants for t in mt.tests}))
            code, output = run_tests(trees[0], selection, args.timeout * 4)
            if code != 0:
                print(f"Baseline failed (the unmutated code must pass the selection):\n{output}")
                return 2
        free = list(trees)

        def work(mutant: Mutant) -> tuple[Mutant, str]:
            tree = free.pop()
            try:
                return mutant, run_mutant(tree, mutant, args.timeout)
            finally:
                free.append(tree)

        results: list[tuple[Mutant, str]] = []
        with ThreadPoolExecutor(max_workers=len(trees)) as pool:
            for mutant, outcome in pool.map(work, mutants):
                results.append((mutant, outcome))
                print(f"{outcome:18} {mutant.id}", flush=True)
    killed = sum(1 for _, o in results if o.startswith("killed"))
    bad = [(mt, o) for mt, o in results if not o.startswith("killed")]
    print(f"\nEquivalent (not run), {len(equivalent)}:")
    for name, why in equivalent.items():
        print(f"  {name}: {why}")
    print(
        f"\nMutation score: {killed}/{len(results)} killed ({100 * killed / max(1, len(results)):.0f}%), "
        f"{len(bad)} not killed, {len(equivalent)} equivalent; {time.perf_counter() - started:.0f} s"
    )
    for mutant, outcome in bad:
        print(f"  {outcome}: {mutant.id} ({mutant.file})")
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main())
