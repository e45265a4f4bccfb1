"""My LA's digest by email, sent to a real SMTP server the test starts on localhost (aiosmtpd): who gets one (opted in,
due), what it says (the LA's summary, new exceptions with links, what arrived), that an opted-out member gets nothing,
that nothing is sent twice in a month, that each send is audited, and the command line and the page's choice."""
import dataclasses
import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import select

from dashboard.__main__ import main
from dashboard.auth.users import create_user
from dashboard.dashboards.my_la import digest
from dashboard.store import get_engine, schema
from tests.dash_requests import callback_request, response_props
from tests.store_fixtures import MEMBER_EMAIL, PASSWORD, sign_in

SOUTHWARK_EMAIL, OUT_EMAIL, NEVER_EMAIL = "digest@southwark.example", "optout@camden.example", "never@hackney.example"
SMTP_USER, SMTP_PASSWORD = "dashboards", "relay-secret"


class Inbox:
    def __init__(self):
        self.received, self.logins = [], []

    async def handle_DATA(self, server, session, envelope):
        self.received.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=email.policy.default)))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def smtp_server():
    inbox = Inbox()

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == SMTP_USER.encode() and auth_data.password == SMTP_PASSWORD.encode()
        inbox.logins.append(ok)
        return AuthResult(success=ok)
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), authenticator=authenticate,
                            auth_require_tls=False)   # a loopback test server: no certificate to offer
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture()
def members(dash_app):
    engine = get_engine()
    ids = {}
    for address, la in ((SOUTHWARK_EMAIL, "E09000028"), (OUT_EMAIL, "E09000007"), (NEVER_EMAIL, "E09000012")):
        with engine.connect() as conn:
            found = conn.execute(select(schema.app_user.c.id).where(schema.app_user.c.email == address)).scalar()
        ids[address] = found or create_user(engine, address, PASSWORD, la, "member", name="Someone Named").id
    with engine.connect() as conn:
        ids[MEMBER_EMAIL] = conn.execute(select(schema.app_user.c.id).where(schema.app_user.c.email == MEMBER_EMAIL)).scalar()
    with engine.begin() as conn:
        conn.execute(schema.digest_subscription.delete())
    digest.set_frequency(engine, ids[MEMBER_EMAIL], "monthly", actor=MEMBER_EMAIL)
    digest.set_frequency(engine, ids[SOUTHWARK_EMAIL], "quarterly", actor=SOUTHWARK_EMAIL)
    digest.set_frequency(engine, ids[OUT_EMAIL], "monthly", actor=OUT_EMAIL)
    digest.set_frequency(engine, ids[OUT_EMAIL], "none", actor=OUT_EMAIL)      # opted in, then out
    yield ids
    with engine.begin() as conn:
        conn.execute(schema.digest_subscription.delete())


def smtp_settings(settings, controller):
    return dataclasses.replace(settings, smtp_host="127.0.0.1", smtp_port=controller.port, smtp_security="none",
                               smtp_user=SMTP_USER, smtp_password=SMTP_PASSWORD, digest_sender="dashboards@liia.example",
                               public_url="https://dashboards.liia.example")


def audited(event: str) -> list[str]:
    with get_engine().connect() as conn:
        return [r.detail for r in conn.execute(select(schema.audit_event.c.detail).where(schema.audit_event.c.event == event)
                                               .order_by(schema.audit_event.c.id))]   # oldest first, on any store


def test_due_digests_reach_the_opted_in_members_only(server, settings, smtp_server, members):
    controller, inbox = smtp_server
    configured = smtp_settings(settings, controller)
    before = len(audited("digest_sent"))
    with server.app_context():
        report = digest.send_digests(get_engine(), configured, now="2026-12-04T06:00:00Z")
    assert sorted(report.sent) == sorted([MEMBER_EMAIL, SOUTHWARK_EMAIL]) and report.failed == []
    assert inbox.logins and all(inbox.logins)                                   # signed in with the settings' account
    by_recipient = {tuple(rcpts): message for rcpts, message in inbox.received}
    assert set(by_recipient) == {(MEMBER_EMAIL,), (SOUTHWARK_EMAIL,)}            # the opted-out and the never-chose: nothing
    lambeth = by_recipient[(MEMBER_EMAIL,)]
    assert lambeth["From"] == "dashboards@liia.example" and lambeth["To"] == MEMBER_EMAIL
    assert lambeth["Subject"].startswith("My LA digest: Lambeth, December 2026: ")
    body = lambeth.get_content()
    # The same summary the page shows the member, every flagged indicator new (no digest before), with links.
    with server.test_request_context():
        from dashboard import loader   # the page's own view, to compare with what the email says
        from dashboard.dashboards.my_la import view as my_la_view
        view = my_la_view.build_view(my_la_view.Selection("E09000022"), loader.AccessScope("member", "E09000022"))
    flagged = [r for r in view.rows if r["exceptions"]]
    assert body.startswith(f"Lambeth: {view.summary}")
    assert lambeth["Subject"].endswith(f": {len(flagged)} new exceptions")
    assert f"New since your last digest ({len(flagged)}):" in body
    assert all(r["name"] in body and f"https://dashboards.liia.example{r['link']}" in body for r in flagged)
    assert "https://dashboards.liia.example/my-la" in body
    # Aggregates and links only: nobody's name or address, not even the member's own.
    assert "Someone Named" not in body and "Test Member" not in body and "@" not in body
    assert by_recipient[(SOUTHWARK_EMAIL,)]["Subject"].startswith("My LA digest: Southwark, Q4 2026: ")
    # Each send is audited.
    sent = audited("digest_sent")[before:]
    assert len(sent) == 2 and any(d.startswith(MEMBER_EMAIL) and "monthly digest for Lambeth" in d for d in sent)

    # Later the same month: nothing is due, nothing is sent.
    inbox.received.clear()
    with server.app_context():
        again = digest.send_digests(get_engine(), configured, now="2026-12-28T06:00:00Z")
    assert again.sent == [] and again.not_due == 2 and inbox.received == []

    # The next month (and quarter): both due; nothing new since the last digest, and it says so.
    with server.app_context():
        january = digest.send_digests(get_engine(), configured, now="2027-01-04T06:00:00Z")
    assert sorted(january.sent) == sorted([MEMBER_EMAIL, SOUTHWARK_EMAIL])
    body = {tuple(r): m for r, m in inbox.received}[(MEMBER_EMAIL,)].get_content()
    assert "No new exceptions since your last digest." in body
    assert f"{len(flagged)} indicators flagged before are still flagged." in body


def test_a_failing_server_is_reported_and_audited_not_hidden(server, settings, members):
    dead = dataclasses.replace(settings, smtp_host="127.0.0.1", smtp_port=free_port(), smtp_security="none")
    with server.app_context(), pytest.raises(OSError):
        digest.send_digests(get_engine(), dead, now="2026-12-04T06:00:00Z")
    no_host = dataclasses.replace(settings, smtp_host="")
    with server.app_context(), pytest.raises(RuntimeError, match="SMTP_HOST"):
        digest.send_digests(get_engine(), no_host, now="2026-12-04T06:00:00Z")


def test_the_command_sends_through_the_settings(monkeypatch, tmp_path, database_url, smtp_server, members, capsys):
    controller, inbox = smtp_server
    for name, value in {"DATABASE_URL": database_url, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(controller.port),
                        "SMTP_SECURITY": "none", "SMTP_USER": SMTP_USER, "SMTP_PASSWORD": SMTP_PASSWORD,
                        "CACHE_DIR": str(tmp_path / "cache"), "LOAD_DEMO_DATA": "false"}.items():
        monkeypatch.setenv(name, value)
    assert main(["send-digests", "--now", "2026-12-04T06:00:00Z"]) == 0
    assert "Digests sent: 2; not due: 0; failed: 0." in capsys.readouterr().out
    assert sorted(r[0] for r, _m in inbox.received) == sorted([MEMBER_EMAIL, SOUTHWARK_EMAIL])


def test_a_member_chooses_their_own_digest_on_the_page(member_client, members):
    response = callback_request(member_client, [("myla-digest-saved", "children")], [("myla-digest", "value", "quarterly")])
    assert response.status_code == 200
    assert response_props(response)["myla-digest-saved"]["children"] == "Saved: a digest each quarter."
    assert digest.frequency_of(get_engine(), members[MEMBER_EMAIL]) == "quarterly"
    assert any("digest: quarterly" in d for d in audited("digest_choice"))


def test_only_a_signed_in_member_may_choose(client):
    response = callback_request(client, [("myla-digest-saved", "children")], [("myla-digest", "value", "monthly")])
    assert response.status_code in (401, 403)


@pytest.mark.parametrize("frequency, last_sent, now, due", [
    ("monthly", None, "2026-12-04", True),
    ("monthly", "2026-12-01T00:00:00Z", "2026-12-31T23:00:00Z", False),
    ("monthly", "2026-11-30T23:59:00Z", "2026-12-01T00:00:00Z", True),
    ("quarterly", "2026-10-01T00:00:00Z", "2026-12-31T00:00:00Z", False),   # Q4 2026 runs October to December
    ("quarterly", "2026-09-30T12:00:00Z", "2026-10-01T00:00:00Z", True),
    ("none", None, "2026-12-04", False),
])
def test_when_a_digest_is_due(frequency, last_sent, now, due):
    assert digest.is_due(frequency, last_sent, now) is due
