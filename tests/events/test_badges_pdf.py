"""Printed badges and the sign-in sheet: the PDF pages are rendered to images (pypdfium2) and
the QR codes decoded back with zxing-cpp; the text is read back from the PDF."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest
import zxingcpp

from network.core.auth import System
from network.core.errors import PermissionDenied
from network.events import badges, checkin, participants, printing, registration, rules

BADGE_URL = "http://localhost/evenements/badge/"


def pages(data: bytes) -> list:
    assert data.startswith(b"%PDF-")
    return list(pdfium.PdfDocument(data))


def page_codes(page) -> list[str]:
    image = page.render(scale=150 / 72).to_pil()
    return sorted(r.text for r in zxingcpp.read_barcodes(image))


def pdf_text(data: bytes) -> str:
    return "\n".join(p.get_textpage().get_text_range() for p in pages(data))


@pytest.fixture
def crowd(make_event, make_user, db):
    """An evening with people of several kinds: structures, a company, a town hall."""

    def make(n_structure=3):
        event = make_event(title="L'Innovation Sociale, tous concernés !", capacity=50)
        regs = []
        for i in range(n_structure):
            regs.append(registration.register(event, registration.Answers(
                name=f"Camille Structure {i}", email=f"s{i}@example.org",
                organisation_name="Les Jardins de Cocagne", organisation_kind="structure"),
                acting=System("test")).registration)
        for name, org, email in (("Bruno Entreprise", "Transports Muller", "b@example.org"),
                                 ("Élise Mairie", "Mairie de Thionville", "e@example.org")):
            regs.append(registration.register(event, registration.Answers(
                name=name, email=email, organisation_name=org, organisation_kind="buyer"),
                acting=System("test")).registration)
        db.session.commit()  # services flush; the pages read committed rows
        return event, regs

    return make


def test_badges_four_to_a_sheet_with_their_qr_codes(app, db, crowd, make_staff):
    event, regs = crowd()
    pdf, count = participants.print_badges(event, participants.PrintChoice(),
                                           acting=make_staff())
    assert count == 5
    sheets = pages(pdf)
    assert len(sheets) == 2
    width, height = sheets[0].get_size()
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    decoded = page_codes(sheets[0]) + page_codes(sheets[1])
    assert sorted(decoded) == sorted(BADGE_URL + r.badge_code for r in regs)
    text = pdf_text(pdf)
    for label in ("STRUCTURE ESS", "ENTREPRISE", "COLLECTIVITÉ", "Élise Mairie",
                  badges.display(regs[0].badge_code), "L'Innovation Sociale"):
        assert label in text
    assert all(r.badge_printed_at is not None for r in regs)


def test_choose_whom_to_print(app, db, crowd, make_staff, make_user):
    staff = make_staff()
    event, regs = crowd()

    def chosen(**kw):
        return sorted(r.name for r in participants.select_for_print(
            event, participants.PrintChoice(**kw)))

    assert chosen(organisation="les jardins de cocagne") == \
        ["Camille Structure 0", "Camille Structure 1", "Camille Structure 2"]
    assert chosen(role="public") == ["Élise Mairie"]
    assert chosen(registration_id=regs[3].id) == ["Bruno Entreprise"]
    participants.set_badge_role(regs[3], "speaker", acting=staff)
    assert chosen(role="speaker") == ["Bruno Entreprise"]
    participants.print_badges(event, participants.PrintChoice(role="speaker"), acting=staff)
    later = registration.register(
        event, registration.Answers(name="Zoé Tardive", email="z@example.org"),
        acting=System("test")).registration
    assert chosen(only_unprinted=True) == sorted(
        [r.name for r in regs if r.id != regs[3].id] + [later.name])
    with pytest.raises(PermissionDenied):
        participants.print_badges(event, participants.PrintChoice(), acting=make_user())
    with pytest.raises(PermissionDenied):
        participants.set_badge_role(regs[0], "speaker", acting=make_user())


def test_cli_prints_the_same_choice(app, db, crowd, runner, tmp_path):
    event, regs = crowd()
    out = tmp_path / "badges.pdf"
    result = runner.invoke(args=["events", "badges", str(event.id), "-o", str(out),
                                 "--role", "company"])
    assert result.exit_code == 0, result.output
    assert "1 badge écrit dans" in result.output
    [sheet] = pages(out.read_bytes())
    assert page_codes(sheet) == [BADGE_URL + regs[3].badge_code]
    db.session.expire_all()
    assert regs[3].badge_printed_at is not None and regs[0].badge_printed_at is None
    again = runner.invoke(args=["events", "badges", str(event.id), "-o", str(out),
                                "--non-imprimes"])
    assert "4 badges écrits dans" in again.output
    assert runner.invoke(args=["events", "badges", "999", "-o", str(out)]).exit_code != 0


def test_five_hundred_badges_render(app):
    """Correctness only (every page is a valid PDF page); the timing is in bench/door/."""
    faces = [printing.BadgeFace(name=f"Personne {i}", organisation="Association", role_label="X",
                                role_colour="#1b7340", event_title="Soirée", event_when="mardi",
                                qr_text=f"{BADGE_URL}{i:08d}", code=str(i)) for i in range(500)]
    assert len(pages(printing.badges_pdf(faces))) == 125


def test_signin_sheet_is_alphabetical_with_a_signature_column(app, db, crowd, make_staff,
                                                              make_user):
    event, regs = crowd()
    # Cancelled people do not sign.
    registration.cancel_registration(regs[0], acting=rules.guest_for(regs[0]))
    pdf = participants.signin_sheet(event, acting=make_staff())
    text = pdf_text(pdf)
    assert "Feuille d'émargement" in text and "Signature" in text and event.title in text
    order = ["Bruno Entreprise", "Camille Structure 1", "Camille Structure 2", "Élise Mairie"]
    positions = [text.index(name) for name in order]
    assert positions == sorted(positions)
    assert "Camille Structure 0" not in text and "Transports Muller" in text
    with pytest.raises(PermissionDenied):
        participants.signin_sheet(event, acting=make_user())


def test_staff_printing_pages(client, login, db, crowd, make_staff, make_user):
    event, regs = crowd()
    url = f"/accueil/{event.id}/impression"
    assert client.get(url).status_code == 302
    login(make_user())
    assert client.get(url).status_code == 403
    assert client.post(url, data={"role": ""}).status_code == 403
    assert client.get(f"/accueil/{event.id}/emargement.pdf").status_code == 403
    assert client.post(f"/accueil/inscriptions/{regs[0].id}/role",
                       data={"role": "speaker"}).status_code == 403
    db.session.expire_all()
    assert all(r.badge_printed_at is None and r.badge_role == "" for r in regs)
    client.post("/deconnexion")
    login(make_staff())
    page = client.get(url)
    assert page.status_code == 200 and "Élise Mairie" in page.get_data(as_text=True)
    answer = client.post(url, data={"role": "public", "organisation": "", "person": ""})
    assert answer.mimetype == "application/pdf"
    assert [c for p in pages(answer.data) for c in page_codes(p)] == \
        [BADGE_URL + regs[4].badge_code]
    bad = client.post(url, data={"role": "pirate"})
    assert bad.status_code == 422
    nobody = client.post(url, data={"organisation": "Inconnue", "role": ""})
    assert nobody.status_code == 422 and "Aucun badge" in nobody.get_data(as_text=True)
    role = client.post(f"/accueil/inscriptions/{regs[0].id}/role", data={"role": "speaker"})
    assert role.status_code == 302
    db.session.expire_all()
    assert regs[0].badge_role == "speaker"
    sheet = client.get(f"/accueil/{event.id}/emargement.pdf")
    assert sheet.mimetype == "application/pdf" and "Camille Structure 0" in pdf_text(sheet.data)


def test_own_badge_pdf(client, db, crowd):
    event, regs = crowd()
    token = rules.manage_token(regs[1])
    answer = client.get(f"/evenements/inscription/{token}/badge.pdf")
    assert answer.mimetype == "application/pdf"
    [page] = pages(answer.data)
    assert page_codes(page) == [checkin.badge_url(regs[1])]
    registration.cancel_registration(regs[1], acting=rules.guest_for(regs[1]))
    db.session.commit()
    assert client.get(f"/evenements/inscription/{token}/badge.pdf").status_code == 403
    assert client.get("/evenements/inscription/pas-un-jeton/badge.pdf").status_code == 400


def test_print_as_system_only_from_the_command(app, crowd):
    event, _regs = crowd()
    pdf, count = participants.print_badges(event, participants.PrintChoice(),
                                           acting=System("badges-cli"))
    assert count == 5 and pdf.startswith(b"%PDF")
