"""`bench/run upload-bounds`: the time to check (and refuse) a hostile upload grows no faster than its size.

In one run, for each shape of the generated bad-file corpus (tests/bad_files.py: wide, long and deep CSV and Excel
files, one enormous line), the file is made at 1x, 2x and 4x a base size and checked as the Upload page checks it
(reading and validation, nothing stored; the process's CPU time, which other work on a shared machine disturbs
far less than wall time; the fastest of --repeats runs). Printed: each time and the ratios t(2x)/t(1x)
and t(4x)/t(1x). Time in proportion to size gives about 2 and 4; less means the check stopped early (a bound was
crossed); a quadratic path, like the duplicate-header check that took 46 minutes on a 100,000-column file, gives
4 and 16. Judge the ratios, not the seconds: they hold on any machine.
"""
from __future__ import annotations

import argparse
import logging
import time

from tests import bad_files

# (shape, what one unit is, 1x size, maker)
SHAPES = [
    ("wide CSV (header)", "columns", 25_000, bad_files.wide_csv),
    ("wide CSV (a data row)", "cells", 200_000, bad_files.wide_row_csv),
    ("long CSV", "rows", 100_000, bad_files.long_csv),
    ("one enormous line", "characters", 1_000_000, bad_files.long_cell_csv),
    ("deep CSV (unclosed quote)", "lines", 250_000, bad_files.deep_csv),
    ("binary", "bytes", 10_000_000, bad_files.binary),
    ("wide Excel", "columns", 2_048, bad_files.wide_xlsx),
    ("long Excel", "rows", 2_000, bad_files.long_xlsx),
    ("deep Excel (nested XML)", "levels", 25_000, bad_files.deep_xlsx),
    ("wide Excel XML (one cell)", "elements", 25_000, bad_files.wide_xml_xlsx),
    ("Excel elements, then deep", "elements", 80_000, lambda n: bad_files.many_elements_xlsx(n, then_deep=100)),
]


def _check_seconds(data: bytes, repeats: int) -> tuple[float, str]:
    from dashboard.dashboards.benchmarking.returns import UPLOAD
    from dashboard.ingest.validation import validate_upload
    times, outcome = [], ""
    for _ in range(repeats):
        start = time.process_time()
        report = validate_upload(UPLOAD, "bench.file", data, bad_files.LA, bad_files.PERIOD,
                                 {"codes": {"la_code": {bad_files.LA}}}, max_bytes=100 * 2**20)
        times.append(time.process_time() - start)
        outcome = (report.file_errors or ["accepted"])[0]
    return min(times), outcome


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="bench/run upload-bounds", description=__doc__)
    parser.add_argument("--repeats", type=int, default=5, help="runs per size; the fastest is printed (default 5)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every base size (default 1)")
    args = parser.parse_args(argv)
    logging.getLogger("dashboard").setLevel(logging.ERROR)   # each refusal logs a line; the table says it once
    print(f"{'shape':28} {'1x size':>12} {'bytes 1x':>10} {'t 1x ms':>9} {'t 2x ms':>9} {'t 4x ms':>9} "
          f"{'2x/1x':>6} {'4x/1x':>6}  refused with", flush=True)
    worst = 0.0
    for shape, unit, base, make in SHAPES:
        size = max(1, int(base * args.scale))
        if shape == "wide Excel":
            size = min(size, 16_384 // 4)   # Excel's own limit is 16,384 columns: 4x must fit
        results = [_check_seconds(make(size * factor), args.repeats) for factor in (1, 2, 4)]
        t1, t2, t4 = (seconds for seconds, _ in results)
        worst = max(worst, t4 / t1)
        print(f"{shape:28} {size:>9,} {unit[:3]} {len(make(size)):>10,} {t1 * 1000:>9.1f} {t2 * 1000:>9.1f} "
              f"{t4 * 1000:>9.1f} {t2 / t1:>6.2f} {t4 / t1:>6.2f}  {results[-1][1][:70]}", flush=True)
    print(f"\nlargest t(4x)/t(1x): {worst:.2f} (linear: about 4; quadratic: about 16)")
    return 0
