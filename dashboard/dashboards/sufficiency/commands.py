"""Sufficiency's command: `python -m dashboard demo-returns FOLDER [--la CODE]... [--seed N] [--zip]`, which writes the
demo's SSDA903 returns (the DfE's tables as CSV, as an LA's system exports them) so they can be read, changed and
uploaded like an LA's own: `python -m dashboard ingest ssda903 FOLDER/E09000022 --la E09000022 --period 2025-03-31`."""
from __future__ import annotations

from pathlib import Path

from dashboard.dashboards.sufficiency.demo_data import LA_CODES, generate_demo, zipped
from dashboard.dashboards.sufficiency.returns import DEMO_PERIOD


def _arguments(parser) -> None:
    parser.add_argument("folder", help="write each LA's files into FOLDER/<LA code>/")
    parser.add_argument("--la", action="append", choices=LA_CODES, help="only this LA (repeat for several)")
    parser.add_argument("--seed", type=int, default=None, help="demo seed (default: DEMO_SEED, as the demo loaded)")
    parser.add_argument("--zip", action="store_true", help="one zip per LA instead of a folder of CSV files")


def demo_returns(_engine, settings, args) -> int:
    seed = settings.demo_seed if args.seed is None else args.seed
    returns = generate_demo(seed)["returns"]
    for la_code in args.la or LA_CODES:
        folder = Path(args.folder)
        folder.mkdir(parents=True, exist_ok=True)
        if args.zip:
            (folder / f"{la_code}.zip").write_bytes(zipped(returns[la_code]))
        else:
            (folder / la_code).mkdir(exist_ok=True)
            for name, data in returns[la_code]:
                (folder / la_code / name).write_bytes(data)
    print(f"Wrote the demo's SSDA903 return (collection year ending {DEMO_PERIOD}, seed {seed}) for "
          f"{len(args.la or LA_CODES)} LA(s) into {args.folder}.")
    return 0


COMMANDS = {"demo-returns": ("write the demo's SSDA903 returns (the DfE's tables) as an LA would upload them",
                             _arguments, demo_returns)}
