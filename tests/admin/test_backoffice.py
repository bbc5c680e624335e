"""The back office at work: the to-do and its actions, figures and map, accounts and journal,
writing to the network (through a real SMTP server), the annual report."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from network.core.time import utcnow


@pytest.fixture
def as_staff(client, login, staff):
    login(staff)
    return client


def csrf(client, url: str) -> str:
    """The form's token when CSRF is on (it is off in the testing config)."""
    html = client.get(url).get_data(as_text=True)
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    return found.group(1) if found else ""


# --- the to-do --------------------------------------------------------------------------------


def test_todo_lists_each_kind_and_approves_in_one_click(as_staff, db, make_structure,
                                                       make_event, make_user):
    from network.directory.models import StructureStatus
    from network.outbox.models import OutboxMessage, OutboxStatus

    pending = make_structure(approved=False, name="Régie de quartier Borny")
    make_event(title="Petit-déjeuner de Bitche", venue_name="Lieu à préciser",
               territory="sarreguemines-bitche")
    make_event(title="Soirée au bon endroit")
    failed = OutboxMessage(kind="x", to_address="perdu@example.org", subject="Perdu",
                           body_text="x", body_html="x", status=OutboxStatus.FAILED,
                           attempts=5, last_error="550 inconnu")
    db.session.add(failed)
    db.session.commit()
    html = as_staff.get("/equipe/").get_data(as_text=True)
    todo = html[html.index("À faire"):]
    assert "Régie de quartier Borny" in todo
    assert "Petit-déjeuner de Bitche" in todo and "Soirée au bon endroit" not in todo
    assert "perdu@example.org" in todo
    token = csrf(as_staff, "/equipe/")
    response = as_staff.post(f"/equipe/a-faire/approve/{pending.id}",
                             data={"csrf_token": token})
    assert response.status_code == 302 and response.location.endswith("/equipe/")
    db.session.refresh(pending)
    assert pending.status == StructureStatus.APPROVED
    # Approving twice is refused with a message, not an error page.
    again = as_staff.post(f"/equipe/a-faire/approve/{pending.id}", data={"csrf_token": token},
                          follow_redirects=True)
    assert again.status_code == 200 and "déjà publiée" in again.get_data(as_text=True)
    as_staff.post(f"/equipe/a-faire/retry/{failed.id}", data={"csrf_token": token})
    db.session.refresh(failed)
    assert failed.status == OutboxStatus.PENDING
    # Only a failed message can be retried from here.
    assert as_staff.post(f"/equipe/a-faire/retry/{failed.id}",
                         data={"csrf_token": token}).status_code == 404


def test_staff_events_list_publishes_cancels_and_duplicates(as_staff, db, make_event):
    from network.events.models import Event, EventStatus

    draft = make_event(status=EventStatus.DRAFT, title="Brouillon")
    html = as_staff.get("/evenements/gestion/").get_data(as_text=True)
    assert f"/evenements/gestion/{draft.id}/publier" in html
    assert f"/evenements/gestion/{draft.id}/dupliquer" in html
    token = csrf(as_staff, "/evenements/gestion/")
    as_staff.post(f"/evenements/gestion/{draft.id}/publier", data={"csrf_token": token})
    db.session.refresh(draft)
    assert draft.status == EventStatus.PUBLISHED
    as_staff.post(f"/evenements/gestion/{draft.id}/dupliquer", data={"csrf_token": token})
    assert db.session.query(Event).filter_by(title="Brouillon (copie)").count() == 1
    as_staff.post(f"/evenements/gestion/{draft.id}/annuler", data={"csrf_token": token})
    db.session.refresh(draft)
    assert draft.status == EventStatus.CANCELLED


# --- figures ------------------------------------------------------------------------------------


def test_figures_page_charts_tables_map_and_csv(as_staff, db, make_structure, make_event,
                                               add_registration):
    now = utcnow()
    make_structure(approved_at=now - timedelta(days=100))
    make_structure(territory="thionville", commune="Hayange", postcode="57700",
                   legal_form="scop-sarl", rna="", approved_at=now - timedelta(days=10))
    past = make_event(days=-20, title="Petit-déjeuner passé")
    for came in (True, True, True, False):
        add_registration(past, came=came)
    add_registration(past, waitlisted=True)
    response = as_staff.get("/equipe/chiffres")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.count('<svg class="chart') >= 12  # eleven charts and the map
    assert "Tableau des données" in html and "SCOP à forme de SARL" in html
    assert "Taux de présence" in html and "<td data-label=\"Présents / inscrits (%)\">60</td>" \
        in html  # 3 of 5 confirmed came in
    # A territory staff add gets its own tile on the map.
    from network.directory.models import Territory

    db.session.add(Territory(code="pays-haut", name="Pays-Haut", position=9))
    db.session.commit()
    html = as_staff.get("/equipe/chiffres").get_data(as_text=True)
    assert "Pays-Haut : 0" in html
    # Filtered by territory, then exported.
    html = as_staff.get("/equipe/chiffres?territoire=thionville").get_data(as_text=True)
    table = html[html.index('id="fig-membres-territoires"'):]
    table = table[:table.index("</figure>")]
    assert "Thionville" in table and ">Metz<" not in table
    csv = as_staff.get("/equipe/chiffres/membres-formes.csv?territoire=thionville")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    text = csv.data.decode("utf-8-sig")
    assert text.splitlines() == ["Forme juridique;Structures", "SCOP à forme de SARL;1"]


@pytest.mark.parametrize("query", ["du=2026-13-45", "du=9999-01-01", "au=x" * 500,
                                   "territoire=%00", "du=2026-05-01&au=2026-01-01",
                                   "territoire=" + "a" * 5000])
def test_bad_filters_get_a_french_message_never_a_500(as_staff, query):
    response = as_staff.get("/equipe/chiffres?" + query)
    # A NUL byte is refused by the site-wide input rule (400) before the page's own check.
    expected = 400 if "%00" in query else 422
    assert response.status_code == expected
    assert ("Caractère non autorisé" if expected == 400 else "Filtre invalide") in \
        response.get_data(as_text=True)
    assert as_staff.get("/equipe/chiffres/courriels.csv?" + query).status_code == expected
    assert as_staff.get("/equipe/chiffres/inconnu.csv").status_code == 404


# --- accounts -------------------------------------------------------------------------------------


def test_account_actions_are_journalled(as_staff, db, staff, make_user):
    from network.admin.models import AccountAction
    from network.outbox.models import OutboxMessage

    member = make_user(email="dominique@example.org")
    unverified = make_user(email="pas-encore@example.org", email_verified_at=None)
    token = csrf(as_staff, "/equipe/comptes")
    old_session = member.session_token
    as_staff.post(f"/equipe/comptes/{member.id}/deactivate", data={"csrf_token": token})
    db.session.refresh(member)
    assert not member.is_active_account and member.session_token != old_session
    as_staff.post(f"/equipe/comptes/{member.id}/reactivate", data={"csrf_token": token})
    as_staff.post(f"/equipe/comptes/{member.id}/grant_staff", data={"csrf_token": token})
    as_staff.post(f"/equipe/comptes/{unverified.id}/resend", data={"csrf_token": token})
    db.session.refresh(member)
    assert member.is_active_account and member.is_staff
    assert db.session.query(OutboxMessage).filter_by(to_address="pas-encore@example.org",
                                                     kind="verify_email").count() == 1
    # Refusals: yourself, a role an unverified address cannot have; nothing journalled.
    for url in (f"/equipe/comptes/{staff.id}/deactivate",
                f"/equipe/comptes/{staff.id}/remove_staff",
                f"/equipe/comptes/{unverified.id}/grant_staff"):
        page = as_staff.post(url, data={"csrf_token": token}, follow_redirects=True)
        assert page.status_code == 200
    db.session.refresh(staff)
    assert staff.is_staff and staff.is_active_account
    journal = [(a.action, a.user_email, a.actor_name) for a in
               db.session.query(AccountAction).order_by(AccountAction.id)]
    assert journal == [("deactivate", "dominique@example.org", "Camille Équipe"),
                       ("reactivate", "dominique@example.org", "Camille Équipe"),
                       ("grant_staff", "dominique@example.org", "Camille Équipe"),
                       ("resend", "pas-encore@example.org", "Camille Équipe")]
    html = as_staff.get("/equipe/comptes").get_data(as_text=True)
    assert "Rôle équipe accordé" in html and "Journal" in html


# --- write to the network ----------------------------------------------------------------------


def test_write_to_the_network_reaches_opted_in_members_only(smtp_config, as_staff, db,
                                                           make_structure, make_user, login):
    from network.admin import broadcast
    from network.admin.models import NewsConsent
    from network.outbox.services import deliver_due

    def opted(user, yes=True):
        db.session.add(NewsConsent(user_id=user.id, is_subscribed=yes))
        db.session.commit()
        return user

    metz = opted(make_user(email="metz@example.org"))
    thionville = opted(make_user(email="thionville@example.org"))
    opted(make_user(email="refus@example.org"), yes=False)
    silent = make_user(email="sans-choix@example.org")
    unverified = opted(make_user(email="non-confirme@example.org"))
    make_structure(metz)
    make_structure(thionville, territory="thionville", commune="Yutz", postcode="57970")
    for person in (silent, unverified, db.session.query(type(metz))
                   .filter_by(email="refus@example.org").one()):
        make_structure(person)
    unverified.email_verified_at = None  # e.g. changed their address and not confirmed yet
    db.session.commit()
    opted_pending = opted(make_user(email="en-attente@example.org"))
    make_structure(opted_pending, approved=False)
    deliver_due()  # the directory's own notices go first
    before = len(smtp_config.messages)

    token = csrf(as_staff, "/equipe/ecrire")
    counted = as_staff.post("/equipe/ecrire", data={
        "csrf_token": token, "territory": "metz", "subject": "Réunion", "body": "Bonjour",
        "preview": "1"})
    assert "1 personne recevra ce message" in counted.get_data(as_text=True)
    bad = as_staff.post("/equipe/ecrire", data={"csrf_token": token, "territory": "nulle",
                                                "subject": "A\r\nBcc: x@y.z", "body": "",
                                                "send": "1"})
    assert bad.status_code == 422
    sent = as_staff.post("/equipe/ecrire", data={
        "csrf_token": token, "subject": "Les nouvelles\r\nBcc: espion@example.org",
        "body": "Le forum approche.", "send": "1"})
    assert sent.status_code == 302
    assert deliver_due().sent == 2
    messages = smtp_config.messages[before:]
    assert sorted(m["To"] for m in messages) == ["metz@example.org", "thionville@example.org"]
    assert all(m["Subject"] == "Les nouvelles Bcc: espion@example.org" for m in messages)
    body = messages[0].get_body(("plain",)).get_content()
    link = re.search(r"http://localhost(/nouvelles/desabonnement/\S+)", body).group(1)
    # The link alone does nothing (mail scanners follow links); its button does, no login.
    as_staff.post("/deconnexion")
    page = as_staff.get(link)
    assert page.status_code == 200
    who = messages[0]["To"]
    assert broadcast.is_subscribed(db.session.query(type(metz)).filter_by(email=who).one())
    assert "Me désabonner" in page.get_data(as_text=True)
    done = as_staff.post(link, data={"csrf_token": ""})
    assert "vous ne recevrez plus" in done.get_data(as_text=True)
    db.session.expire_all()
    assert not broadcast.is_subscribed(db.session.query(type(metz)).filter_by(email=who).one())
    assert as_staff.get("/nouvelles/desabonnement/faux-jeton").status_code == 400


def test_members_opt_in_themselves(client, login, make_user, db):
    from network.admin import broadcast

    member = make_user()
    login(member)
    token = csrf(client, "/nouvelles/")
    client.post("/nouvelles/", data={"csrf_token": token, "subscribed": "y"})
    assert broadcast.is_subscribed(member)
    client.post("/nouvelles/", data={"csrf_token": token})
    db.session.expire_all()
    assert not broadcast.is_subscribed(member)


# --- the annual report -------------------------------------------------------------------------


def test_annual_report_pdf_csv_and_sections_from_other_domains(as_staff, make_structure,
                                                              make_event, add_registration):
    from network.core import signals

    now = utcnow()
    make_structure(name="Les Jardins de la Seille", approved_at=now - timedelta(days=1))
    past = make_event(days=-1, title="Petit-déjeuner de Metz")
    add_registration(past, came=True)
    add_registration(past)

    def esspresso(year, **_kw):
        return ("Rendez-vous ESSpresso", ["Session", "Rendez-vous"], [["Printemps", 42]],
                "42 rendez-vous.")

    signals.annual_report_sections.connect(esspresso)
    try:
        year = (now - timedelta(days=1)).year
        html = as_staff.get(f"/equipe/rapport-annuel?annee={year}").get_data(as_text=True)
        assert "Les Jardins de la Seille" in html and "Rendez-vous ESSpresso" in html
        assert "taux de présence : 50 %" in html
        pdf = as_staff.get(f"/equipe/rapport-annuel-{year}.pdf")
        assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF-")
        assert len(pdf.data) > 1500
        csv = as_staff.get(f"/equipe/rapport-annuel-{year}.csv").data.decode("utf-8-sig")
        assert "Les Jardins de la Seille" in csv and "Printemps;42" in csv
    finally:
        signals.annual_report_sections.disconnect(esspresso)
    assert as_staff.get("/equipe/rapport-annuel?annee=abc").status_code == 200
    assert as_staff.get("/equipe/rapport-annuel-99999.pdf").status_code == 200


def test_personal_data_export_and_erase(app, db, staff, make_user):
    from conftest import DEFAULT_PASSWORD
    from network.accounts import services as accounts_services
    from network.admin import accounts, broadcast
    from network.admin.models import AccountAction, NewsConsent

    person = make_user(email="partante@example.org")
    broadcast.set_subscription(person, True, acting=person)
    accounts.apply(person, "grant_staff", acting=staff)
    accounts.apply(person, "remove_staff", acting=staff)
    db.session.commit()
    exported = accounts_services.export_data(person)
    assert exported["nouvelles_du_reseau"]["inscrit"] is True
    accounts_services.delete_account(person, DEFAULT_PASSWORD)
    db.session.commit()
    assert db.session.query(NewsConsent).count() == 0
    rows = db.session.query(AccountAction).all()
    assert [(r.action, r.user_email, r.user_id, r.actor_name) for r in rows] == [
        ("grant_staff", "(compte supprimé)", None, "Camille Équipe"),
        ("remove_staff", "(compte supprimé)", None, "Camille Équipe")]
