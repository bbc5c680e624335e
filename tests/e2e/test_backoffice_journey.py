"""Staff in the browser: log in, see the to-do, validate a structure in one click, look at a
chart and its table, export the figure as CSV (axe checks each page)."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from conftest import DEFAULT_PASSWORD
from network.core.time import utcnow


def test_staff_act_on_the_todo_then_read_and_export_a_chart(live_server, app, db, make_user,
                                                            make_staff, browser, check_a11y):
    from network.directory import profiles as directory
    from network.directory import reference as directory_reference
    from network.directory.demo import make_siret
    from network.directory.fields import StructureData
    from network.directory.models import Structure, StructureStatus

    directory_reference.ensure_reference_data()
    staff = make_staff(email="camille@example.org", name="Camille Équipe")
    owner = make_user(email="regie@example.org")
    data = dict(siret=make_siret(777), legal_form="association-insertion", rna="W572000777",
                sectors=["insertion"])
    pending = directory.create_structure(acting=owner, data=StructureData(
        name="Régie de quartier Borny", postcode="57070", commune="Metz", territory="metz",
        **data))
    member = directory.create_structure(acting=make_user(), data=StructureData(
        name="Scop Nettoyage Thionvillois", siret=make_siret(778), legal_form="scop-sa-ca",
        postcode="57100", commune="Thionville", territory="thionville"))
    directory.approve_structure(member, acting=staff)
    member.approved_at = utcnow() - timedelta(days=40)
    from network.events import staff as events_staff
    from network.events.models import EventKind
    from network.events.territories import by_code

    start = utcnow().replace(microsecond=0) + timedelta(days=9)
    events_staff.create_event(events_staff.EventData(
        kind=EventKind.BREAKFAST, title="Petit-déjeuner territorial de Sarreguemines – Bitche",
        start_at=start, end_at=start + timedelta(hours=2),
        territory_id=by_code("sarreguemines-bitche").id, venue_name="Lieu à préciser",
        venue_address="Sarreguemines", capacity=40), acting=staff)
    db.session.commit()

    context = browser.new_context(viewport={"width": 360, "height": 800}, accept_downloads=True)
    page = context.new_page()
    page.goto(live_server.url + "/connexion")
    page.get_by_label("Adresse e-mail").fill(staff.email)
    page.get_by_label(re.compile("^Mot de passe")).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name="Espace équipe").first.click()
    expect(page.get_by_role("heading", name="Structures à valider")).to_be_visible()
    expect(page.locator(".todo-item strong", has_text="Régie de quartier Borny")).to_be_visible()
    check_a11y(page, "à faire")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.get_by_role("button", name="Valider Régie de quartier Borny").click()
    page.get_by_text("Structure publiée").wait_for()
    expect(page.get_by_role("heading", name="Structures à valider")).to_have_count(0)
    # What is left to do: the breakfast still waiting for its venue, one link away.
    expect(page.get_by_role("link", name=re.compile("^Indiquer le lieu Petit-déjeuner"))) \
        .to_be_visible()
    db.session.expire_all()
    assert db.session.get(Structure, pending.id).status == StructureStatus.APPROVED

    page.get_by_role("link", name="Chiffres et carte").click()
    chart = page.locator("#fig-membres-territoires")
    expect(chart.locator("svg[role=img]")).to_be_visible()
    chart.get_by_text("Tableau des données").click()
    table = chart.get_by_role("table")
    expect(table).to_be_visible()
    assert "Thionville" in table.inner_text() and "Metz" in table.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    check_a11y(page, "chiffres")
    with page.expect_download() as info:
        chart.get_by_role("link", name=re.compile("Exporter en CSV")).click()
    download = info.value
    assert download.suggested_filename.startswith("membres-territoires-")
    with open(download.path(), encoding="utf-8-sig") as f:
        text = f.read()
    assert text.splitlines()[0] == "Territoire;Structures"
    assert sorted(text.splitlines()[1:]) == ["Metz;1", "Thionville;1"]

    # The other management tables turn into cards on a phone: nothing overflows sideways.
    for name, path in (("comptes", "/equipe/comptes"), ("événements", "/evenements/gestion/"),
                       ("rapport", "/equipe/rapport-annuel"), ("écrire", "/equipe/ecrire"),
                       ("import", "/equipe/import")):
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, name
        check_a11y(page, name)
        if path == "/evenements/gestion/":
            expect(page.get_by_role("button", name=re.compile("^Publier Petit-déjeuner"))) \
                .to_be_visible()
    context.close()
