"""Command line for data teams: `python -m dashboard <command>`.

  init-db                      create the schema and reference data (never drops anything)
  load-demo [--seed N] [--dataset NAME]...
                               replace every dataset (or the ones named) with seeded demo data, then import
                               PUBLISHED_DATA_DIR's files over them as on first start (real beats demo)
  create-user EMAIL --la CODE --role ROLE [--role ROLE]... [--name NAME]
                               password from $NEW_USER_PASSWORD or a prompt; repeat --role for several roles
  set-roles EMAIL --role ROLE [--role ROLE]...
                               give an account these roles in place of its own (audited)
  set-password EMAIL           password from $NEW_USER_PASSWORD or a prompt
  reset-mfa EMAIL              an administrator's reset of an account's two-step sign-in (audited)
  ingest DATASET FILE --la CODE --period P [--check-only] [--report OUT.csv] [--actor EMAIL] [--max-mb N]
                               check a file and (unless --check-only) store it as a new version;
                               exit 1 and print the report when it is rejected
  ingest ssda903 FILE_OR_FOLDER... --la CODE --period YYYY-03-31 [...]
                               the DfE's SSDA903 tables as CSV (any number of files, folders or zips; each table
                               recognised by its columns), checked by the DfE's rules together, stored as one version
  import-published PATH...     import published DfE/ONS/Ofsted files (or folders of them), each recognised by its
                               columns and stored wherever a page uses it; one report per file
  export published --out FILE  write every stored published figure (source, indicator, period, la_code, la_name, value, marker)
  send-digests [--now TIME]    email each member's My LA digest that is due (monthly or quarterly), through
                               the SMTP server in the settings; every send and failure audited (for cron)
  settings                     list every setting with its default and meaning (.env.example format)
"""
from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from dashboard.auth.roles import ROLES, describe_roles
from dashboard.auth import mfa
from dashboard.auth.passwords import PASSWORD_RULES
from dashboard.auth.users import create_user, normalise_email, set_password, set_roles
from dashboard.config import PROJECT_ROOT, describe_settings, settings_from_env
from dashboard.dashboards import commands as dashboard_commands, dataset_modules
from dashboard.demo import reload_demo
from dashboard.exports import to_csv_bytes
from dashboard.ingest import loading
from dashboard.ingest.returns import SPECS
from dashboard.published.store import export_frame, import_paths
from dashboard.store import get_engine
from dashboard.store.setup import init_db


def _new_password() -> str:
    password = os.environ.get("NEW_USER_PASSWORD")
    if password:
        return password
    if not sys.stdin.isatty():
        raise SystemExit("No password: set NEW_USER_PASSWORD or run the command in a terminal to be prompted.")
    print(PASSWORD_RULES)
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password again: "):
        raise SystemExit("The two passwords differ; nothing was changed.")
    return first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard", description="London Children's Services Dashboards")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init-db", help="create the schema and reference data")
    demo = sub.add_parser("load-demo", help="replace every dataset with seeded demo data")
    demo.add_argument("--seed", type=int, default=None)
    demo.add_argument("--dataset", action="append", choices=[m.NAME for m in dataset_modules()],
                      help="only this dataset (repeat for more); default every one")
    user = sub.add_parser("create-user", help="create an account")
    user.add_argument("email")
    user.add_argument("--la", required=True, help="ONS code of the user's LA, e.g. E09000022")
    user.add_argument("--role", required=True, action="append", choices=ROLES,
                      help="repeat for several roles, e.g. --role commissioner --role uploader")
    user.add_argument("--name", default="")
    roles = sub.add_parser("set-roles", help="give an account these roles in place of its own")
    roles.add_argument("email")
    roles.add_argument("--role", required=True, action="append", choices=ROLES, help="repeat for several roles")
    pw = sub.add_parser("set-password", help="set a new password for an account")
    pw.add_argument("email")
    reset_mfa = sub.add_parser("reset-mfa", help="reset an account's two-step sign-in (they set it up again at next sign-in)")
    reset_mfa.add_argument("email")
    reset_mfa.add_argument("--actor", default="cli", help="who is resetting it, for the audit log")
    sub.add_parser("settings", help="list settings in .env.example format")
    published = sub.add_parser("import-published", help="import published DfE/ONS statistics files or folders")
    published.add_argument("paths", nargs="+")
    export = sub.add_parser("export", help="export stored data")
    export.add_argument("what", choices=["published"])
    export.add_argument("--out", required=True)
    ingest = sub.add_parser("ingest", help="validate a file and store it as a new version (bulk loads)")
    ingest.add_argument("dataset", help="one of: " + ", ".join([*STANDARDS, *SPECS]))
    ingest.add_argument("files", nargs="+", metavar="FILE_OR_FOLDER",
                        help="the file; for a standard return (ssda903) its files, folders of them or zips")
    ingest.add_argument("--la", required=True, help="ONS code of the LA the file is for, e.g. E09000022")
    ingest.add_argument("--period", required=True, help="the period the file is for: " + "; ".join(
        f"{name}: {spec.period.format_hint}" for name, spec in SPECS.items()))
    ingest.add_argument("--max-mb", type=float, default=None,
                        help="largest file to read, in MB (default: UPLOAD_MAX_MB; raise it for a bulk SSDA903 load)")
    ingest.add_argument("--episodes", help="SSDA903 only (kept for old scripts): the episodes file, FILE the header")
    ingest.add_argument("--check-only", action="store_true", help="report only; store nothing")
    ingest.add_argument("--report", help="also write the full report to this CSV file")
    ingest.add_argument("--actor", default="cli", help="who is loading, for the audit log")
    extra = dashboard_commands()   # each dashboard's own commands (e.g. My LA's send-digests)
    for name, (help_text, add_arguments, _run) in extra.items():
        add_arguments(sub.add_parser(name, help=help_text))
    args = parser.parse_args(argv)

    if args.command == "settings":
        # Empty means "use the default", so the file works on any machine as it is.
        for name, default, help_text in describe_settings():
            shown = (str(default).replace(str(PROJECT_ROOT), "<project>").replace(str(PROJECT_ROOT.parent), "<project>/..")
                     if default != "" else "empty")
            print(f"# {help_text} Default: {shown}.\n{name}=\n")
        return 0

    settings = settings_from_env()
    engine = get_engine(settings.database_url)
    init_db(engine)
    try:
        if args.command == "init-db":
            print("Schema and reference data are ready.")
        elif args.command in extra:
            return extra[args.command][2](engine, settings, args)
        elif args.command == "load-demo":
            reload_demo(engine, settings, settings.demo_seed if args.seed is None else args.seed,
                        set(args.dataset) if args.dataset else None)
        elif args.command == "create-user":
            created = create_user(engine, args.email, _new_password(), args.la, args.role, name=args.name)
            print(f"Created {created.email} ({describe_roles(created.roles)}, {created.la_code}).")
        elif args.command == "set-roles":
            chosen = set_roles(engine, args.email, args.role, actor="cli")
            print(f"{normalise_email(args.email)} is now {describe_roles(chosen)}.")
        elif args.command == "import-published":
            reports = import_paths(engine, args.paths, seed=settings.demo_seed)
            for report in reports:
                print(report.line())
            return 1 if any(r.status == "rejected" for r in reports) else 0
        elif args.command == "export":
            frame = export_frame(engine)
            with open(args.out, "wb") as out:
                out.write(to_csv_bytes(frame))
            print(f"Wrote {len(frame):,} published figures to {args.out}")
        elif args.command == "ingest":
            return _ingest(engine, settings, args)
        elif args.command == "reset-mfa":
            mfa.reset(engine, args.email, actor=args.actor)
            print(f"Two-step sign-in reset for {normalise_email(args.email)}: they set it up again at their next sign-in.")
        elif args.command == "set-password":
            set_password(engine, args.email, _new_password(), actor="cli")
            print(f"Password set for {normalise_email(args.email)}; its sessions have ended.")
    except ValueError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    return 0


STANDARDS = {spec.standard: name for name, spec in SPECS.items() if spec.standard}


def _files_in(paths: list[Path]) -> list[tuple[str, bytes]]:
    """Each path's file, or every file in a folder (and its subfolders), in name order; hidden files skipped. A
    folder's files are named with their folders under it ("2021-22/episodes.csv"): a year may be in either."""
    out = []
    for path in paths:
        found = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        out += [(p.relative_to(path.parent).as_posix() if path.is_dir() else p.name, p.read_bytes())
                for p in found if not p.name.startswith(".")]
    return out


def _ingest(engine, settings, args) -> int:
    """Exit 0 when stored (or unchanged, or clean with --check-only), 1 when rejected, 2 on a usage error."""
    dataset = STANDARDS.get(args.dataset, args.dataset)
    if dataset not in SPECS:
        print(f"Error: unknown dataset {args.dataset!r}; choose one of {', '.join([*STANDARDS, *SPECS])}", file=sys.stderr)
        return 2
    spec = SPECS[dataset]
    if args.episodes and spec.read_files is None:
        print(f"Error: --episodes is for SSDA903 ({', '.join(STANDARDS)}) only", file=sys.stderr)
        return 2
    paths = [Path(f) for f in args.files] + ([Path(args.episodes)] if args.episodes else [])
    for path in paths:
        if not path.exists():
            print(f"Error: {path} is not a file or folder", file=sys.stderr)
            return 2
    several = spec.read_files is not None and (args.dataset in STANDARDS or len(paths) > 1 or any(p.is_dir() for p in paths)
                                               or paths[0].read_bytes()[:4] == b"PK\x03\x04" and paths[0].suffix == ".zip")
    if not several and (len(paths) > 1 or paths[0].is_dir()):
        print(f"Error: {args.dataset} takes one file", file=sys.stderr)
        return 2
    max_bytes = int((args.max_mb or settings.upload_max_mb) * 2**20)
    if several:
        report = loading.validate_files(engine, dataset, _files_in(paths), args.la, args.period, max_bytes=max_bytes)
    else:
        report = loading.validate(engine, dataset, paths[0].name, paths[0].read_bytes(), args.la, args.period,
                                  max_bytes=max_bytes)
    print(f"{report.file_name}: {report.summary()}")
    findings = report.table()
    for level, title in (("error", "Errors by DfE rule"), ("query", "Queries by DfE rule (shown, not blocking)")):
        rules = findings.loc[findings["level"] == level, "rule"] if "level" in findings else findings["rule"][:0]
        by_rule = rules.str.extract(r"^DfE rule (\S+):", expand=False).dropna().value_counts()
        if len(by_rule):
            print(f"{title}: " + ", ".join(f"{rule}: {n}" for rule, n in by_rule.items()))
    if len(findings):
        print(findings.to_string(index=False, max_rows=200))
    if args.report:
        Path(args.report).write_bytes(to_csv_bytes(findings))
        print(f"Report written to {args.report}")
    if not report.ok:
        loading.record_rejection(engine, report, args.actor)
        return 1
    if args.check_only:
        return 0
    result = loading.commit(engine, report, args.actor)
    print(result.message)
    return 0 if result.status in ("committed", "unchanged") else 1


if __name__ == "__main__":
    raise SystemExit(main())
