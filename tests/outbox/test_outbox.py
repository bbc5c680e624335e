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


def test_gives_up_after_max_attempts_and_staff_can_retry(dead_smtp, app, make_user,
                                                         make_staff):
    from network.core.errors import PermissionDenied
    from network.extensions import db

    [message] = queue(1)
    now = utcnow()
    services.deliver_due(now=now)
    services.deliver_due(now=now + timedelta(hours=1))
    [row] = outbox_messages()
    assert row.status == OutboxStatus.FAILED and row.attempts == 2
    with pytest.raises(PermissionDenied):
        services.retry(message.id, acting=make_user())
    services.retry(message.id, acting=make_staff())
    db.session.commit()
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


def test_a_claim_is_one_message_for_two_minutes(dead_smtp, app):
    from network.core.uow import unit_of_work

    queue(2)
    now = utcnow()
    with unit_of_work():
        first = services.claim_next(now)
    with unit_of_work():
        second = services.claim_next(now)
    assert first != second and None not in (first, second)  # one message per claim
    with unit_of_work():
        assert services.claim_next(now) is None  # both still claimed
    assert services.claim_duration() == timedelta(minutes=2)
    with unit_of_work():
        assert services.claim_next(now + timedelta(minutes=1, seconds=59)) is None
    with unit_of_work():  # a crashed worker's message comes back after two minutes
        assert services.claim_next(now + timedelta(minutes=2, seconds=1)) == first


def test_a_worker_killed_mid_batch_holds_back_one_message_only(smtp_config, app):
    """The dead worker had claimed one message (and may have sent it): the next worker sends
    every other message at once; that one goes after two minutes, with the same Message-ID,
    so a repeat is recognisable by the recipient's software."""
    from network.core.uow import unit_of_work
    from network.extensions import mail

    queue(4)
    now = utcnow()
    with unit_of_work():
        claimed = services.claim_next(now)
        row = services.get_message(claimed)
        mail.send(services._to_mail(row))  # sent, then killed before recording it
    assert services.deliver_due(now=now).sent == 3
    assert services.deliver_due(now=now + timedelta(minutes=1)).sent == 0
    assert services.deliver_due(now=now + timedelta(minutes=2, seconds=1)).sent == 1
    received = smtp_config.wait_for(5)
    ids = [m["Message-ID"] for m in received]
    assert len(set(ids)) == 4  # four mails, one of them twice with the same id
    assert ids.count(row.message_id) == 2
    assert {r.message_id for r in outbox_messages()} == set(ids)


def test_each_mail_carries_its_stored_message_id(smtp_config, app):
    rows = queue(2)
    assert all(r.message_id.startswith("<") and r.message_id.endswith("@example.org>")
               for r in rows)
    assert rows[0].message_id != rows[1].message_id
    services.deliver_due()
    received = {m["To"]: m["Message-ID"] for m in smtp_config.wait_for(2)}
    assert received == {r.to_address: r.message_id for r in rows}


@pytest.mark.parametrize("address", [
    "a@b.co,c@d.co", "a@b.co;c@d.co", '=HYPERLINK("http://x.example")@ex.org',
    "=1+1@example.com", "Eve <eve@example.org>", "eve@example.org\r\nBcc: x@y.org",
    "Eve\r\nBcc: x@y", "", "pas-une-adresse"])
def test_enqueue_refuses_anything_but_one_mailbox(app, address):
    from network.core.errors import ValidationError

    with pytest.raises(ValidationError) as err:
        services.enqueue(address, "email_change_notice", subject="Test",
                         context={"user": {"name": "X"}, "new_email": "y@example.org"})
    assert err.value.code == "invalid_email" and "email" in err.value.field_errors
    assert outbox_messages() == []


def test_no_typed_text_reaches_a_header(smtp_config, app):
    """A person named `Eve\\r\\nBcc: …` and a staff subject with CR/LF: one line each."""
    from network.extensions import db

    name = "Eve\r\nBcc: espion@example.org"
    services.enqueue("dest@example.org", "email_change_notice",
                     subject=f"{name} demande à rejoindre « Les Jardins »",
                     context={"user": {"name": name}, "new_email": "y@example.org"})
    services.enqueue("dest2@example.org", "email_change_notice",
                     subject="Message de l'équipe\r\nBcc: espion@example.org\nX-Evil: 1",
                     context={"user": {"name": "X"}, "new_email": "y@example.org"})
    db.session.commit()
    assert all("\r" not in r.subject and "\n" not in r.subject for r in outbox_messages())
    assert services.deliver_due().sent == 2
    received = smtp_config.wait_for(2)
    for msg in received:
        assert msg["Bcc"] is None and msg["X-Evil"] is None
        assert "Bcc: espion@example.org" in msg["Subject"]  # harmless text in one line
    assert sorted(m["To"] for m in received) == ["dest2@example.org", "dest@example.org"]


def test_one_bad_row_fails_alone_and_the_batch_goes_on(smtp_config, app):
    """Rows written before the rules (or by a bug): the worker fails each bad one with its
    error and sends the five others."""
    from network.extensions import db
    from network.outbox.models import OutboxMessage

    good = queue(5)
    bad_subject = OutboxMessage(kind="x", to_address="ok@example.org", body_text="t",
                                body_html="<p>t</p>", attachments=[],
                                subject="Bonjour\r\nBcc: espion@example.org")
    bad_address = OutboxMessage(kind="x", to_address="a@b.co,c@d.co", subject="Liste",
                                body_text="t", body_html="<p>t</p>", attachments=[])
    db.session.add_all([bad_subject, bad_address])
    db.session.commit()
    report = services.deliver_due()
    assert (report.sent, report.failed) == (5, 2)
    assert sorted(m["To"] for m in smtp_config.wait_for(5)) == sorted(
        m.to_address for m in good)
    db.session.expire_all()
    assert bad_subject.status == OutboxStatus.FAILED and "objet" in bad_subject.last_error
    assert bad_address.status == OutboxStatus.FAILED and "adresse" in bad_address.last_error
    assert all(m.status == OutboxStatus.SENT for m in good)
    assert len(smtp_config.messages) == 5


def test_cli_send(smtp_config, app, runner):
    queue(1)
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "1 courriel envoyé," in result.output
    assert len(smtp_config.wait_for(1)) == 1


@pytest.fixture
def preview_on(app_config):
    app_config["MAIL_PREVIEW"] = True


def test_development_preview_never_shows_a_mail_that_grants_access(preview_on, app, client,
                                                                     login, make_user, caplog):
    """Item 4: typing someone's address shows nothing sent to it, and a mail with an access
    link (verification, reset, change of address) caused here is only announced; the link
    goes to the server's console, for whoever runs the site."""
    import logging

    from markupsafe import escape

    from conftest import DEFAULT_PASSWORD
    from network.extensions import db

    caplog.set_level(logging.INFO)
    victim = make_user(email="victime@example.org")
    services.enqueue(victim.email, "email_change_notice", subject="Ancien courriel de la victime",
                     context={"user": victim, "new_email": "x@example.org"}, preview_safe=True)
    db.session.commit()

    client.post("/mot-de-passe-oublie", data={"email": "victime@example.org"})
    client.post("/inscription", data={"name": "Alex", "email": "alex@example.org",
                                      "password": "une phrase assez longue pour la Moselle",
                                      "password_confirm": "une phrase assez longue pour la Moselle",
                                      "accept_privacy": "y"})
    page = client.get("/boite-envoi/apercu").get_data(as_text=True)
    assert "/mot-de-passe/" not in page and "/verifier/" not in page
    assert "Ancien courriel de la victime" not in page
    assert "Aucun courriel à afficher" in page  # not even a line: it would tell who exists
    reset = outbox_messages("victime@example.org")[-1]
    verify = outbox_messages("alex@example.org")[-1]
    assert (reset.kind, verify.kind) == ("password_reset", "verify_email")
    for hidden in (reset, verify, outbox_messages("victime@example.org")[0]):
        assert client.get(f"/boite-envoi/{hidden.id}").status_code == 404
    # The person running the site reads the link on the console.
    assert any("/verifier/" in r.getMessage() for r in caplog.records)

    # A mail without any access link, caused by this browser, is shown.
    me = make_user(email="moi@example.org")
    login(me)
    client.post("/compte/adresse", data={"em-email": "nouvelle@example.org",
                                         "em-password": DEFAULT_PASSWORD})
    notice = outbox_messages("moi@example.org")[-1]
    change = outbox_messages("nouvelle@example.org")[-1]
    page = client.get("/boite-envoi/apercu").get_data(as_text=True)
    assert str(escape(notice.subject)) in page and "/compte/adresse/" not in page
    assert client.get(f"/boite-envoi/{notice.id}").status_code == 200
    assert client.get(f"/boite-envoi/{change.id}").status_code == 404
    stranger = app.test_client()
    assert stranger.get(f"/boite-envoi/{notice.id}").status_code == 404
    assert "Aucun courriel à afficher" in stranger.get("/boite-envoi/apercu").get_data(
        as_text=True)


def test_staff_outbox_page(client, login, make_user, make_staff):
    queue(1)
    message_id = outbox_messages()[0].id
    login(make_user())
    assert client.get(f"/boite-envoi/{message_id}").status_code == 404
    client.post("/deconnexion")
    login(make_staff())
    page = client.get("/boite-envoi/?q=dest0").get_data(as_text=True)
    assert "dest0@example.org" in page and "En attente" in page
    assert client.get(f"/boite-envoi/{message_id}").status_code == 200


def test_the_preview_is_off_with_an_smtp_server_or_outside_development(app, client):
    assert client.get("/boite-envoi/apercu").status_code == 404  # MAIL_PREVIEW off in tests
    app.config.update(MAIL_PREVIEW=True, MAIL_SERVER="127.0.0.1")
    assert client.get("/boite-envoi/apercu").status_code == 404


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
