"""A mail speaks its recipient's language, whoever sends it and from where."""

from __future__ import annotations

from flask_babel.speaklater import LazyString

from network.core import i18n
from network.outbox import services


def _language_subject() -> LazyString:
    """A subject that reads the language it is evaluated in: the mechanism, not a catalogue."""
    return LazyString(lambda: f"langue {i18n.current()}")


def _send(to: str, **kwargs):
    return services.enqueue(to, "email_change_notice", subject=_language_subject(),
                            context={"user": {"name": "Dest"}, "new_email": "x@example.org"},
                            **kwargs)


def test_the_account_language_wins_over_the_page(app, db, make_user):
    make_user(email="anna@example.org", locale="de")
    with app.test_request_context():
        message = _send("anna@example.org")
    assert message.subject == "langue de"


def test_an_explicit_language_wins_over_everything(app, db, make_user):
    make_user(email="anna@example.org", locale="de")
    with app.test_request_context():
        assert _send("anna@example.org", locale="en").subject == "langue en"
        # an unknown code is ignored, not trusted
        assert _send("anna@example.org", locale="xx").subject == "langue de"


def test_without_an_account_the_page_language_applies(app, db):
    with app.test_request_context(headers={"Cookie": "lang=en"}):
        assert _send("guest@example.org").subject == "langue en"
    with app.app_context():  # a CLI command: French unless told
        assert _send("guest@example.org").subject == "langue fr"
        assert _send("guest@example.org", locale="de").subject == "langue de"


def test_the_body_is_rendered_in_that_language_too(app, db):
    with app.test_request_context():
        message = services.enqueue(
            "guest@example.org", "email_change_notice", subject="Sujet", locale="de",
            context={"user": {"name": "Dest"}, "new_email": "x@example.org"})
    assert message.subject == "Sujet"
    with app.test_request_context():
        with i18n.in_locale("de"):
            expected = app.jinja_env.get_template("emails/email_change_notice.txt").render(
                user={"name": "Dest"}, new_email="x@example.org", subject="Sujet",
                mail_locale="de")
    assert message.body_text == expected
