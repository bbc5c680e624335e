"""Security headers (issue #9, item 14): nothing personal cached, no framing, isolated
windows and resources; what is public (open data, logos, calendar feeds, badges in their
page) still works."""

from __future__ import annotations

import io
import re

import icalendar
import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import select

from conftest import DEFAULT_PASSWORD

DEMO_PASSWORD = "demo-Moselle-ESS-2026"


def _isolation(response) -> None:
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_anonymous_pages_are_isolated_and_may_be_cached(client):
    first = client.get("/evenements/")  # stores the CSRF token: sets the session cookie
    assert first.headers.getlist("Set-Cookie") and first.headers["Cache-Control"] == "no-store"
    client.get("/evenements/")  # Flask-Login marks the session once more
    response = client.get("/evenements/")
    _isolation(response)
    assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert not response.headers.getlist("Set-Cookie")


def test_every_page_for_a_logged_in_person_is_no_store(client, make_user):
    user = make_user()
    response = client.post("/connexion", data={"email": user.email,
                                                "password": DEFAULT_PASSWORD, "remember": "y"})
    assert response.status_code == 302
    assert response.headers["Cache-Control"] == "no-store"  # it sets the session cookie
    for path in ("/", "/compte", "/evenements/", "/annuaire/", "/nulle-part"):
        response = client.get(path)
        assert response.headers["Cache-Control"] == "no-store", path
        _isolation(response)
    response = client.post("/deconnexion")
    assert response.headers["Cache-Control"] == "no-store"


def test_a_response_that_sets_the_session_cookie_is_no_store(client):
    """An anonymous visitor's session (here: where to go after signing up) is theirs only."""
    response = client.get("/inscription?next=/evenements/")
    assert any(c.startswith("session=") for c in response.headers.getlist("Set-Cookie"))
    assert response.headers["Cache-Control"] == "no-store"


def test_open_data_stays_public_and_cookie_free(client, make_user, login):
    login(make_user())
    response = client.get("/api/v1/structures")
    assert response.status_code == 200
    assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "public" in response.headers["Cache-Control"]
    assert not response.headers.getlist("Set-Cookie")


@pytest.fixture
def demo(app, db):
    from network.demo import load_demo

    load_demo()
    db.session.commit()


def test_badge_png_and_calendar_feeds_still_work(demo, client, db):
    """The member's badge, from its page as a browser loads it, then the calendars."""
    from network.accounts.models import User
    from network.events import rules
    from network.events.models import Registration

    member = db.session.scalar(select(User).where(User.email == "membre@example.org"))
    reg = db.session.scalar(select(Registration).where(Registration.user_id == member.id))
    token = rules.manage_token(reg)
    client.post("/connexion", data={"email": member.email, "password": DEMO_PASSWORD})
    page = client.get(f"/evenements/inscription/{token}/badge")
    assert page.status_code == 200
    src = re.search(r'<img[^>]+src="([^"]+badge\.png)"', page.get_data(as_text=True)).group(1)
    png = client.get(src)
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert png.headers["Cross-Origin-Resource-Policy"] == "same-origin"  # same-origin <img>
    assert png.headers["Cache-Control"] == "no-store"  # personal
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.data)))
    assert decoded and decoded[0].text.endswith(f"/evenements/badge/{reg.badge_code}")

    client.post("/deconnexion")
    for path in ("/evenements/agenda.ics", f"/evenements/agenda/{member.calendar_token}.ics",
                 f"/evenements/{reg.event_id}/agenda.ics"):
        response = client.get(path)  # a calendar application: no cookie, no CORS
        assert response.status_code == 200, path
        calendar = icalendar.Calendar.from_ical(response.data)
        assert calendar.walk("VEVENT"), path
