"""Staff's second factor: RFC 6238 values, enrolment with a QR code read back by zxing-cpp,
the code asked at log-in, single-use steps and recovery codes, and the enrolment gate."""

from __future__ import annotations

import base64
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import zxingcpp
from PIL import Image

from conftest import DEFAULT_PASSWORD
from network.accounts import second_factor
from network.accounts.models import RecoveryCode
from network.core.errors import PermissionDenied, ValidationError

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()


@pytest.mark.parametrize("unix_time,expected", [
    (59, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"),
    (1234567890, "89005924"), (2000000000, "69279037"), (20000000000, "65353130"),
])
def test_rfc_6238_test_vectors(unix_time, expected):
    """Appendix B of RFC 6238 (SHA-1, 8 digits): the hand-written HMAC is the standard one."""
    step = second_factor.current_step(unix_time)
    assert second_factor.code_at(RFC_SECRET, step, digits=8) == expected


@pytest.fixture
def second_factor_on(app_config):
    app_config["STAFF_SECOND_FACTOR"] = True


def now_code(secret: str, offset: int = 0) -> str:
    return second_factor.code_at(secret, second_factor.current_step() + offset)


def enrol(client) -> tuple[str, list[str], str]:
    """Through the pages: read the QR code like a phone would, type the first code."""
    page = client.get("/compte/double-authentification").get_data(as_text=True)
    [png] = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    [decoded] = zxingcpp.read_barcodes(Image.open(io.BytesIO(base64.b64decode(png))))
    uri = urlsplit(decoded.text)
    assert uri.scheme == "otpauth" and uri.netloc == "totp"
    secret = parse_qs(uri.query)["secret"][0]
    assert secret in page  # also shown as text, for typing by hand
    wrong = client.post("/compte/double-authentification", data={"code": "000000"})
    assert wrong.status_code == 422 and "Ce code n&#39;est pas valide" in wrong.get_data(
        as_text=True)
    first = now_code(secret)
    done = client.post("/compte/double-authentification", data={"code": first})
    assert done.status_code == 200
    codes = re.findall(r"<code>([0-9a-f]{5}(?:-[0-9a-f]{5}){3})</code>", done.get_data(
        as_text=True))
    assert len(codes) == 10
    return secret, codes, first


def log_in(client, user, *, password=DEFAULT_PASSWORD):
    return client.post("/connexion", data={"email": user.email, "password": password})


def test_staff_enrol_with_the_qr_code_then_the_code_is_asked_at_log_in(
        second_factor_on, app, client, db, make_staff):
    staff = make_staff()
    assert log_in(client, staff).status_code == 302
    # Not enrolled: every staff page (and any page but the account's) sends to enrolment.
    for url in ("/equipe/", "/boite-envoi/", "/annuaire/gestion/", "/evenements/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"] == "/compte/double-authentification"
    secret, codes, first = enrol(client)
    assert client.get("/equipe/").status_code == 200
    db.session.expire_all()
    assert staff.totp_enabled_at is not None
    assert db.session.query(RecoveryCode).filter_by(user_id=staff.id).count() == 10
    stored = {r.code_hash for r in db.session.query(RecoveryCode)}
    assert not set(codes) & stored  # only hashes are kept
    client.post("/deconnexion")

    # The password alone opens nothing.
    other = app.test_client()
    response = log_in(other, staff)
    assert response.headers["Location"] == "/connexion/code"
    assert other.get("/equipe/").status_code == 302
    assert other.get("/compte").status_code == 302
    response = other.post("/connexion/code", data={"code": "123456"})
    assert response.status_code == 422
    # The code already used at enrolment is refused (one step, one use) …
    assert other.post("/connexion/code", data={"code": first}).status_code == 422
    # … the next step's code is accepted.
    response = other.post("/connexion/code", data={"code": now_code(secret, 1)})
    assert response.status_code == 302
    assert other.get("/equipe/").status_code == 200


def test_recovery_codes_work_once(second_factor_on, app, client, db, make_staff):
    staff = make_staff()
    log_in(client, staff)
    _secret, codes, _first = enrol(client)
    client.post("/deconnexion")
    for attempt, expected in ((codes[0].upper().replace("-", " "), 302), (codes[0], 422)):
        browser = app.test_client()
        log_in(browser, staff)
        response = browser.post("/connexion/code", data={"code": attempt})
        assert response.status_code == expected
    db.session.expire_all()
    assert second_factor.remaining_recovery_codes(staff) == 9


def test_the_code_page_needs_the_password_first_and_expires(second_factor_on, app, client,
                                                            make_staff, monkeypatch):
    assert client.get("/connexion/code").headers["Location"] == "/connexion"
    staff = make_staff()
    log_in(client, staff)
    secret, _codes, _first = enrol(client)
    client.post("/deconnexion")
    log_in(client, staff)
    import time as clock

    real = clock.time
    monkeypatch.setattr(clock, "time", lambda: real() + 301)
    response = client.post("/connexion/code", data={"code": now_code(secret, 1)})
    assert response.headers["Location"] == "/connexion"


def test_a_wrong_password_never_reaches_the_code_step(second_factor_on, client, make_staff):
    staff = make_staff()
    log_in(client, staff)
    enrol(client)
    client.post("/deconnexion")
    response = log_in(client, staff, password="pas le bon mot de passe")
    assert response.status_code == 422
    assert client.get("/connexion/code").headers["Location"] == "/connexion"


def test_services_refuse_other_parties(app, db, make_user):
    from network.core.auth import Guest

    guest = Guest(email="x@example.org", scope="x")
    with pytest.raises(PermissionDenied):
        second_factor.start_enrolment(acting=guest)
    user = make_user()
    with pytest.raises(PermissionDenied):
        second_factor.issue_recovery_codes(acting=user)  # not enrolled
    secret = second_factor.start_enrolment(acting=user)
    assert second_factor.start_enrolment(acting=user) == secret  # stable until confirmed
    with pytest.raises(ValidationError):
        second_factor.confirm_enrolment("12345", acting=user)
    first = now_code(secret)
    assert len(second_factor.confirm_enrolment(first, acting=user)) == 10
    with pytest.raises(ValidationError):  # the same step twice
        second_factor.check_second_factor(user, first)


def test_demo_staff_has_a_documented_way_in(app, runner, db):
    app.config["ENV_NAME"] = "development"
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "users totp-code equipe@example.org" in result.output
    code = runner.invoke(args=["users", "totp-code", "equipe@example.org"])
    assert code.exit_code == 0 and re.fullmatch(r"\d{6}\n", code.output)
    app.config["ENV_NAME"] = "production"
    refused = runner.invoke(args=["users", "totp-code", "equipe@example.org"])
    assert refused.exit_code != 0 and "développement" in refused.output
