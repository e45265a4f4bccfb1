"""What the old/new scripts share (`bench.send_old_new`, `bench.suspensions_old_new`, `bench.sufficiency_old_new`,
`bench.agency_pay_old_new`): dashboard packages' modules as they are at a git ref, loaded beside the working tree's,
the scripts' options, and old and new timed in turns."""
from __future__ import annotations

import argparse
import importlib
import re
import statistics
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Each old module's tables go on a metadata of its own: the same tables of the same store, defined a second time.
_OWN_METADATA = "import sqlalchemy as _old_sa\n_OLD_METADATA = _old_sa.MetaData()\n"


def old_source(ref: str, package: str, name: str) -> str:
    """dashboard/dashboards/<package>/<name>.py as it is at `ref`."""
    return subprocess.run(["git", "show", f"{ref}:dashboard/dashboards/{package}/{name}.py"], cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout


def load_old(ref: str, modules: dict[str, tuple[str, ...]]) -> dict[str, types.ModuleType]:
    """{package: module names} as they are at `ref`, importable as old_<package>.<name> (imports between the packages
    given point at their old modules too); returned as {"<package>.<name>": module}."""
    folder = Path(tempfile.mkdtemp(prefix="old-code-"))
    for package, names in modules.items():
        target = folder / f"old_{package}"
        target.mkdir()
        (target / "__init__.py").write_text("")
        for name in names:
            source = old_source(ref, package, name)
            for other in modules:
                source = re.sub(rf"\bdashboard\.dashboards\.{other}\b", f"old_{other}", source)
            source = source.replace("schema.metadata", "_OLD_METADATA")
            future = "from __future__ import annotations\n"
            source = (source.replace(future, future + _OWN_METADATA, 1) if future in source
                      else _OWN_METADATA + source)
            (target / f"{name}.py").write_text(source)
    sys.path.insert(0, str(folder))
    return {f"{package}.{name}": importlib.import_module(f"old_{package}.{name}")
            for package, names in modules.items() for name in names}


def arguments(doc: str) -> argparse.ArgumentParser:
    """The options every old/new script takes; a script adds its own."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--old", default="main", help="the git ref of the old code (default: main)")
    parser.add_argument("--repeat", type=int, default=5, help="timed renders per value (old and new alternated)")
    parser.add_argument("--quick", action="store_true", help="fewer cases compared")
    parser.add_argument("--no-compare", action="store_true")
    parser.add_argument("--no-time", action="store_true")
    return parser


def alternated_cpu_ms(answer, default: tuple, others: dict, repeat: int) -> list[tuple[str, int, float, float]]:
    """For each filter of `others` ({name: (its position in `default`, the values to try)}): the view with that filter
    set to each value and the rest at `default`, answered by `answer(which, chosen)` for "old" and "new". Each value is
    answered once by both untimed (their per-process memory warm, as in a worker), then `repeat` times with old and
    new in turns, which goes first alternating. Rows of (name, values tried, old CPU ms, new CPU ms), medians."""
    rows = []
    for name, (position, values) in others.items():
        times = {"old": [], "new": []}
        for value in values:
            chosen = list(default)
            chosen[position] = value
            for which in ("old", "new"):
                answer(which, chosen)
            for r in range(repeat):
                for which in (("old", "new") if r % 2 == 0 else ("new", "old")):
                    started = time.process_time()
                    answer(which, chosen)
                    times[which].append((time.process_time() - started) * 1000)
        rows.append((name, len(values), statistics.median(times["old"]), statistics.median(times["new"])))
    return rows


def print_timings(rows: list[tuple[str, int, float, float]], t_ms: float, title: str = "filter") -> None:
    """`alternated_cpu_ms`'s rows as a table: each filter's old and new CPU ms, as multiples of T, and new/old."""
    if not rows:
        return
    width = max(len(title), *(len(name) for name, *_ in rows)) + 2
    print(f"{title:{width}}{'n':>3}{'old ms':>9}{'xT':>6}{'new ms':>9}{'xT':>6}{'new/old':>9}")
    for name, n, old, new in rows:
        print(f"{name:{width}}{n:>3}{old:>9.1f}{old / t_ms:>6.1f}{new:>9.1f}{new / t_ms:>6.1f}{new / old:>9.2f}")
