"""The mail outbox against a real SMTP server (aiosmtpd): delivery, outage, retries, workers."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from conftest import free_port
from network.core.time import utcnow
from network.outbox import services
from network.outbox.models import OutboxStatus
from support import mail_text, outbox_messages


@pytest.fixture
def dead_smtp(app_config):
    """An SMTP address where nothing listens: the server is down."""
    app_config.update({"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": free_port(),
                       "OUTBOX_MAX_ATTEMPTS": 2})


def queue(n: int = 1, **kwargs):
    from network.extensions import db

    messages = [
        services.enqueue(f"dest{i}@example.org", "email_change_notice",
                         subject=f"Message {i}",
                         context={"user": {"name": f"Dest {i}"}, "new_email": "x@example.org"},
                         **kwargs)
        for i in range(n)
    ]
    db.session.commit()
    return messages


def test_delivers_text_html_and_attachments(smtp_config, app):
    ics = b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
    queue(1, attachments=[services.Attachment("invitation.ics",
                                              "text/calendar; method=REQUEST; charset=UTF-8",
                                              ics)])
    report = services.deliver_due()
    assert (report.sent, report.failed) == (1, 0)
    [msg] = smtp_config.wait_for(1)
    assert msg["To"] == "dest0@example.org"
    assert msg["Subject"] == "Message 0"
    assert "Dest 0" in mail_text(msg)
    assert "<p>Bonjour Dest 0,</p>" in msg.get_body(preferencelist=("html",)).get_content()
    [part] = [p for p in msg.iter_attachments()]
    assert part.get_filename() == "invitation.ics"
    assert part.get_content_type() == "text/calendar"
    assert part.get_content().encode() if isinstance(part.get_content(), str) else True
    [row] = outbox_messages()
    assert row.status == OutboxStatus.SENT and row.sent_at is not None and row.attempts == 1


def test_an_smtp_outage_delays_mail_and_never_loses_it(dead_smtp, smtp_server, app):
    from network.extensions import mail

    queue(2)
    now = utcnow()
    report = services.deliver_due(now=now)
    assert (report.sent, report.failed) == (0, 2)
    rows = outbox_messages()
    assert all(r.status == OutboxStatus.PENDING and r.attempts == 1 for r in rows)
    assert all("ConnectionRefusedError" in r.last_error for r in rows)
    assert all(r.next_attempt_at > now for r in rows)
    # Not due yet: nothing is tried again before the backoff.
    assert services.deliver_due(now=now + timedelta(seconds=5)).failed == 0
    # The server comes back (Flask-Mail reads its settings when bound to the app).
    app.config.update({"MAIL_PORT": smtp_server.port, "OUTBOX_MAX_ATTEMPTS": 8})
    mail.init_app(app)
    report = services.deliver_due(now=now + timedelta(minutes=2))
    assert report.sent == 2
    assert len(smtp_server.wait_for(2)) == 2
    assert all(r.status == OutboxStatus.SENT and r.attempts == 2 for r in outbox_messages())


def test_backoff_grows_and_is_capped():
    assert services.backoff(1) == timedelta(minutes=1)
    assert services.backoff(4) == timedelta(minutes=8)
    assert services.backoff(30) == timedelta(hours=6)


def test_gives_up_after_max_attempts_and_staff_can_retry(dead_smtp, app):
    [message] = queue(1)
    now = utcnow()
    services.deliver_due(now=now)
    services.deliver_due(now=now + timedelta(hours=1))
    [row] = outbox_messages()
    assert row.status == OutboxStatus.FAILED and row.attempts == 2
    services.retry(message.id)
    assert outbox_messages()[0].status == OutboxStatus.PENDING


def test_without_smtp_nothing_is_sent_and_mail_waits(app):
    queue(1)
    report = services.deliver_due()
    assert report.skipped_reason
    assert outbox_messages()[0].status == OutboxStatus.PENDING


def test_two_workers_never_send_the_same_message(smtp_config, app):
    from flask import current_app

    queue(40)
    real_app = current_app._get_current_object()
    real_app.config["OUTBOX_BATCH_SIZE"] = 7
    errors = []

    def worker():
        try:
            with real_app.app_context():
                while services.deliver_due().sent:
                    pass
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    received = smtp_config.wait_for(40)
    assert sorted(m["To"] for m in received) == sorted(f"dest{i}@example.org" for i in range(40))
    assert len(received) == 40  # no duplicates
    assert all(r.status == OutboxStatus.SENT for r in outbox_messages())


def test_a_crashed_worker_claim_expires(dead_smtp, app):
    queue(1)
    now = utcnow()
    assert len(services.claim_due(now, 10)) == 1
    assert services.claim_due(now, 10) == []  # still claimed
    assert len(services.claim_due(now + timedelta(minutes=11), 10)) == 1


def test_cli_send(smtp_config, app, runner):
    queue(1)
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "1 envoyé(s)" in result.output
    assert len(smtp_config.wait_for(1)) == 1


@pytest.fixture
def preview_on(app_config):
    app_config["MAIL_PREVIEW"] = True


def test_staff_outbox_page_and_development_preview(preview_on, client, login, make_staff):
    from network.accounts import services as accounts

    client.post("/inscription", data={"name": "Alex", "email": "alex@example.org",
                                      "password": "une phrase assez longue pour la Moselle",
                                      "password_confirm": "une phrase assez longue pour la Moselle",
                                      "accept_privacy": "y"})
    preview = client.get("/boite-envoi/apercu").get_data(as_text=True)
    assert "Confirmez votre adresse e-mail" in preview and "/verifier/" in preview
    stranger = client.application.test_client()
    assert "/verifier/" not in stranger.get("/boite-envoi/apercu").get_data(as_text=True)
    message_id = outbox_messages()[0].id
    assert stranger.get(f"/boite-envoi/{message_id}").status_code == 404
    login(make_staff(), on=stranger)
    page = stranger.get("/boite-envoi/?q=alex").get_data(as_text=True)
    assert "alex@example.org" in page and "En attente" in page
    assert stranger.get(f"/boite-envoi/{message_id}").status_code == 200
    assert accounts.get_user_by_email("alex@example.org") is not None


def test_purge_keeps_recent_and_unsent_mail(smtp_config, app):
    queue(2)
    services.deliver_due()
    queue(1)  # still pending
    later = utcnow() + timedelta(days=400)
    assert services.purge_sent(older_than=timedelta(days=365), now=later) == 2
    assert [m.status for m in outbox_messages()] == [OutboxStatus.PENDING]


def test_account_export_and_erasure_cover_the_outbox(smtp_config, app, make_user):
    from conftest import DEFAULT_PASSWORD
    from network.accounts import services as accounts

    user = make_user(email="dest0@example.org")
    queue(1)
    services.deliver_due()
    data = accounts.export_data(user)
    assert data["courriels"][0]["objet"] == "Message 0"
    accounts.delete_account(user, DEFAULT_PASSWORD)
    assert outbox_messages("dest0@example.org") == []


def test_outbox_page_paginates(client, login, make_staff):
    queue(55)
    login(make_staff())
    first = client.get("/boite-envoi/?q=dest")
    assert first.status_code == 200
    html = first.get_data(as_text=True)
    assert "Page 1 sur 2" in html and "Page suivante" in html and "q=dest" in html
    second = client.get("/boite-envoi/?q=dest&page=2").get_data(as_text=True)
    assert "Page précédente" in second and second.count("<tr>") == 6  # header + 5 rows


def test_a_refused_address_fails_at_once_a_busy_one_is_retried(refusing_smtp, app):
    from network.extensions import db

    for to in ("inexistant@example.org", "occupe@example.org", "ok@example.org"):
        services.enqueue(to, "email_change_notice", subject="Test",
                         context={"user": {"name": "X"}, "new_email": "y@example.org"})
    db.session.commit()
    report = services.deliver_due()
    assert (report.sent, report.failed) == (1, 2)
    rows = {m.to_address: m for m in outbox_messages()}
    assert rows["inexistant@example.org"].status == OutboxStatus.FAILED
    assert "550" in rows["inexistant@example.org"].last_error
    assert rows["occupe@example.org"].status == OutboxStatus.PENDING  # tried again later
    assert rows["ok@example.org"].status == OutboxStatus.SENT
    assert [m["To"] for m in refusing_smtp.wait_for(1)] == ["ok@example.org"]
