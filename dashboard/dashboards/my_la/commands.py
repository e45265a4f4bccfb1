"""My LA's command: `python -m dashboard send-digests [--now ISO-TIME]`, for cron (daily is fine: each member gets a
digest once in each month or quarter they chose)."""
from __future__ import annotations

import sys

from flask import Flask

from dashboard.dashboards.my_la import digest
from dashboard.loader import init_cache


def _arguments(parser) -> None:
    parser.add_argument("--now", help="judge what is due as at this time (ISO 8601; default: now)")


def send_digests(engine, settings, args) -> int:
    # The views come from the same cached builders as the page: they need an app context with the cache and settings.
    app = Flask("send-digests")
    app.config["LCSD_SETTINGS"] = settings
    init_cache(app, settings)
    try:
        with app.app_context():
            report = digest.send_digests(engine, settings, now=args.now)
    except (RuntimeError, OSError) as error:   # no SMTP server configured, or it cannot be reached
        print(f"Error: {error}", file=sys.stderr)
        return 2
    print(f"Digests sent: {len(report.sent)}; not due: {report.not_due}; failed: {len(report.failed)}.")
    for email, error in report.failed:
        print(f"Not sent to {email}: {error}", file=sys.stderr)
    return 1 if report.failed else 0


COMMANDS = {"send-digests": ("email each member's My LA digest that is due (monthly or quarterly)", _arguments,
                             send_digests)}
