"""Sufficiency's command: `python -m dashboard demo-returns FOLDER [--la CODE]... [--seed N] [--zip] [--ofsted]`, which
writes the demo's SSDA903 returns (the DfE's tables as CSV, as an LA's system exports them, one set per collection
year) so they can be read, changed and uploaded like an LA's own:
`python -m dashboard ingest ssda903 FOLDER/E09000022 --la E09000022 --period 2025-03-31`. With --ofsted it also writes
FOLDER/ofsted/: the providers those returns name by URN, in the layout of Ofsted's provider-level files, for
`python -m dashboard import-published FOLDER/ofsted` (a store with no demo data then shows their grades)."""
from __future__ import annotations

from pathlib import Path

from dashboard.dashboards.sufficiency.demo_data import DEMO_YEARS, LA_CODES, generate_demo, ofsted_files, zipped
from dashboard.ingest.ssda903.reading import read_tables


def _arguments(parser) -> None:
    parser.add_argument("folder", help="write each LA's files into FOLDER/<LA code>/")
    parser.add_argument("--la", action="append", choices=LA_CODES, help="only this LA (repeat for several)")
    parser.add_argument("--seed", type=int, default=None, help="demo seed (default: DEMO_SEED, as the demo loaded)")
    parser.add_argument("--zip", action="store_true", help="one zip per LA instead of a folder of CSV files")
    parser.add_argument("--ofsted", action="store_true",
                        help="also write FOLDER/ofsted/: the providers the returns name, as Ofsted publishes them")


def urns_named(files: list[tuple[str, bytes]]) -> set[str]:
    """The Ofsted URNs an LA's return files give for its placements (every year's Episodes table)."""
    urns = set()
    for year in {name.split("_")[0] for name, _data in files}:
        episodes = read_tables([f for f in files if f[0].startswith(f"{year}_")]).tables.get("Episodes")
        if episodes is not None:
            urns |= set(episodes["URN"]) - {"", "XXXXXXX"}
    return urns


def demo_returns(_engine, settings, args) -> int:
    seed = settings.demo_seed if args.seed is None else args.seed
    demo = generate_demo(seed)
    returns = demo["returns"]
    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    urns = set()
    for la_code in args.la or LA_CODES:
        if args.zip:
            (folder / f"{la_code}.zip").write_bytes(zipped(returns[la_code]))
        else:
            (folder / la_code).mkdir(exist_ok=True)
            for name, data in returns[la_code]:
                (folder / la_code / name).write_bytes(data)
        if args.ofsted:
            urns |= urns_named(returns[la_code])
    years = ", ".join(f"{y - 1}/{str(y)[2:]}" for y in DEMO_YEARS)
    print(f"Wrote the demo's SSDA903 returns (collection years {years}, seed {seed}) for "
          f"{len(args.la or LA_CODES)} LA(s) into {args.folder}.")
    if args.ofsted:
        (folder / "ofsted").mkdir(exist_ok=True)
        files = ofsted_files(demo, urns)
        for name, data in files:
            (folder / "ofsted" / name).write_bytes(data)
        print(f"Wrote {len(files)} Ofsted provider-level files for the {len(urns)} providers they name into "
              f"{folder / 'ofsted'}.")
    return 0


COMMANDS = {"demo-returns": ("write the demo's SSDA903 returns (the DfE's tables) as an LA would upload them",
                             _arguments, demo_returns)}
