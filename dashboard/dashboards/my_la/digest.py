"""My LA by email: each member's choice of a monthly or quarterly digest for their LA, and the command that sends the
digests that are due (`python -m dashboard send-digests`, for cron).

A digest holds only the LA's own aggregate indicators (the same figures My LA shows the member), what data arrived
for the LA and London since the last one (dataset, period, date: no names), and links into the app. No child-level
or personal data. Every send, and every failure, is written to the audit log and the log.
"""
from __future__ import annotations

import json
import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timezone
from email.message import EmailMessage

import pandas as pd
from sqlalchemy import Engine, select

from dashboard import loader
from dashboard.auth.roles import primary_role
from dashboard.auth.users import record_event
from dashboard.dashboards.my_la import data, metrics, view as my_la_view
from dashboard.store import schema

log = logging.getLogger(__name__)
FREQUENCIES = {"none": "No digest", "monthly": "Monthly", "quarterly": "Quarterly"}


# --- the member's choice ---------------------------------------------------------------------------------------------

def frequency_of(engine: Engine, user_id: int) -> str:
    t = schema.digest_subscription
    with engine.connect() as conn:
        found = conn.execute(select(t.c.frequency).where(t.c.user_id == user_id)).scalar()
    return found or "none"


def set_frequency(engine: Engine, user_id: int, frequency: str, actor: str) -> None:
    """Store the member's choice (audited). The last digest's record is kept, so changing one's mind does not resend."""
    if frequency not in FREQUENCIES:
        raise ValueError(f"frequency must be one of {', '.join(FREQUENCIES)}, not {frequency!r}")
    t, now = schema.digest_subscription, datetime.now(timezone.utc)
    with engine.begin() as conn:
        if conn.execute(select(t.c.user_id).where(t.c.user_id == user_id)).first():
            conn.execute(t.update().where(t.c.user_id == user_id).values(frequency=frequency, updated_at=now))
        else:
            conn.execute(t.insert().values(user_id=user_id, frequency=frequency, updated_at=now, last_flagged="[]"))
        record_event(conn, actor=actor, event="digest_choice", detail=f"digest: {frequency}")


# --- when one is due -------------------------------------------------------------------------------------------------

def period_start(frequency: str, now) -> pd.Timestamp:
    """The start of the month or calendar quarter `now` falls in (UTC)."""
    now = pd.Timestamp(now).tz_convert("UTC") if pd.Timestamp(now).tzinfo else pd.Timestamp(now).tz_localize("UTC")
    month = now.month if frequency == "monthly" else (now.month - 1) // 3 * 3 + 1
    return pd.Timestamp(year=now.year, month=month, day=1, tz="UTC")


def is_due(frequency: str, last_sent, now) -> bool:
    """A monthly digest is due once in each calendar month, a quarterly one once in each calendar quarter."""
    if frequency not in ("monthly", "quarterly"):
        return False
    if last_sent is None or pd.isna(last_sent):
        return True
    sent = pd.Timestamp(last_sent)
    sent = sent.tz_localize("UTC") if sent.tzinfo is None else sent
    return sent < period_start(frequency, now)


# --- what it says ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Digest:
    recipient: str
    subject: str
    body: str
    flagged: list[str]       # keys of the indicators flagged now (the next digest says what is new since)


def compose(recipient: str, la_name: str, summary: str, rows: list[dict], last_flagged: set[str], arrived: list[str],
            base_url: str, frequency: str, now) -> Digest:
    """The email: new exceptions since the last digest (with reasons and links), what else stays flagged (counted),
    what data arrived, and the link to My LA. Only the LA's aggregate indicators; no names, no child-level data."""
    flagged = [r for r in rows if r["exceptions"]]
    new = [r for r in flagged if r["key"] not in last_flagged]
    when = pd.Timestamp(now)
    label = f"{when:%B %Y}" if frequency == "monthly" else f"Q{(when.month - 1) // 3 + 1} {when.year}"
    subject = f"My LA digest: {la_name}, {label}: {len(new)} new exception{'' if len(new) == 1 else 's'}"
    lines = [f"{la_name}: {summary}", ""]
    if new:
        lines.append(f"New since your last digest ({len(new)}):")
        for r in new:
            value = metrics.format_value(r["value"], r["decimals"], r["unit"]) or r["missing"]
            reasons = " ".join(e["reason"] for e in r["exceptions"])
            lines += [f"- {r['name']} ({r['period']}): {value}. {reasons}", f"  {base_url}{r['link']}"]
    else:
        lines.append("No new exceptions since your last digest.")
    still = len(flagged) - len(new)
    if still:
        lines += ["", f"{still} indicator{'' if still == 1 else 's'} flagged before {'is' if still == 1 else 'are'} still flagged."]
    lines += ["", "Data that arrived since your last digest:"] + ([f"- {a}" for a in arrived] or ["- none"])
    lines += ["", f"Every indicator, exceptions first: {base_url}/my-la", "",
              "You receive this because you chose a " + frequency + " digest on My LA. To stop it, choose "
              "\"No digest\" there. This email holds only the LA's published and returned aggregate figures."]
    return Digest(recipient, subject, "\n".join(lines), [r["key"] for r in flagged])


def arrivals(la_code: str, since, la_names: dict[str, str]) -> list[str]:
    """What arrived after `since` (all of it when None): the LA's own uploads, how many London LAs uploaded each
    dataset, and published releases imported. Datasets, periods and dates only."""
    uploads, files = data.uploads(), data.published_files()
    if since is not None and not pd.isna(since):
        cut = pd.Timestamp(since)
        cut = cut.tz_localize("UTC") if cut.tzinfo is None else cut
        uploads = uploads[uploads["uploaded_at"] > cut]
        imported = pd.to_datetime(files["imported_at"], utc=True)
        files = files[imported > cut]
    found = [f"{la_names.get(la_code, la_code)}'s {r.dataset} return for {r.period}, uploaded {r.uploaded_at:%d %b %Y}"
             for r in uploads[uploads["la_code"] == la_code].itertuples()]
    for dataset, frame in uploads[uploads["la_code"] != la_code].groupby("dataset"):
        found.append(f"{dataset}: returns from {frame['la_code'].nunique()} other London LA(s)")
    found += [f"Published: {f.format} ({f.file_name}), imported {pd.Timestamp(f.imported_at):%d %b %Y}"
              for f in files.itertuples()]
    return found


# --- sending ---------------------------------------------------------------------------------------------------------

@dataclass
class SendReport:
    sent: list[str]
    failed: list[tuple[str, str]]
    not_due: int


def send_digests(engine: Engine, settings, now=None, *, tls_context=None) -> SendReport:
    """Send every digest that is due (`now`: the time to judge by, default now), one email per member, each send
    recorded (audit log and the subscription's last digest), each failure recorded and the rest still sent. Runs
    inside a Flask app context (the views come from the same cached builders as the page)."""
    if not settings.smtp_host:
        raise RuntimeError("No SMTP server is configured (SMTP_HOST): no digest was sent.")
    now = pd.Timestamp.now(tz="UTC") if now is None else pd.Timestamp(now)
    now = now.tz_localize("UTC") if now.tzinfo is None else now
    s, u = schema.digest_subscription, schema.app_user
    with engine.connect() as conn:
        rows = conn.execute(select(s.c.user_id, s.c.frequency, s.c.last_sent_at, s.c.last_flagged, u.c.email, u.c.role,
                                   u.c.la_code).join(u, u.c.id == s.c.user_id)
                            .where(u.c.is_active, s.c.frequency != "none")).fetchall()
    las = loader.local_authorities()
    names = dict(zip(las["la_code"], las["la_name"]))
    report = SendReport([], [], 0)
    due = [r for r in rows if is_due(r.frequency, r.last_sent_at, now)]
    report.not_due = len(rows) - len(due)
    if not due:
        return report
    with _connect(settings, tls_context) as client:
        for r in due:
            scope = loader.AccessScope(primary_role(r.role), r.la_code)   # the member's own scope, as the page shows it
            try:
                view = my_la_view.build_view(my_la_view.Selection(r.la_code), scope)
                digest = compose(r.email, view.la_name, view.summary, view.rows, set(json.loads(r.last_flagged or "[]")),
                                 arrivals(r.la_code, r.last_sent_at, names), settings.public_url.rstrip("/"),
                                 r.frequency, now)
                message = EmailMessage()
                message["From"], message["To"], message["Subject"] = settings.digest_sender, digest.recipient, digest.subject
                message.set_content(digest.body)
                client.send_message(message)
            except Exception as error:   # one member's failure is recorded; the others still get theirs
                report.failed.append((r.email, str(error)))
                log.warning("digest not sent", extra={"event": "digest_failed", "recipient": r.email, "error": str(error)})
                with engine.begin() as conn:
                    record_event(conn, actor="send-digests", event="digest_failed", detail=f"{r.email}: {error}")
                continue
            with engine.begin() as conn:
                conn.execute(s.update().where(s.c.user_id == r.user_id).values(
                    last_sent_at=now.to_pydatetime(), last_flagged=json.dumps(digest.flagged)))
                record_event(conn, actor="send-digests", event="digest_sent",
                             detail=f"{r.email}: {r.frequency} digest for {view.la_name}; {digest.subject}")
            log.info("digest sent", extra={"event": "digest_sent", "recipient": r.email, "la": r.la_code})
            report.sent.append(r.email)
    return report


class _connect:
    """The SMTP connection for one run, signed in when credentials are set; closed however the run ends."""
    def __init__(self, settings, tls_context):
        self.settings, self.tls_context = settings, tls_context

    def __enter__(self):
        st = self.settings
        context = self.tls_context or ssl.create_default_context()
        if st.smtp_security == "tls":
            self.client = smtplib.SMTP_SSL(st.smtp_host, st.smtp_port, timeout=30, context=context)
        else:
            self.client = smtplib.SMTP(st.smtp_host, st.smtp_port, timeout=30)
            if st.smtp_security == "starttls":
                self.client.starttls(context=context)
        if st.smtp_user:
            self.client.login(st.smtp_user, st.smtp_password)
        return self.client

    def __exit__(self, *exc):
        try:
            self.client.quit()
        except smtplib.SMTPException:
            self.client.close()
        return False
