"""The demo site, loaded once for the crawl, with what the demo leaves out (a pending
invitation, an alert, a guest's answer, a door device, signed links) and a client per
person and language."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

LANGS = ("fr", "en", "de")


@dataclass
class Site:
    """Ids and signed links the crawl fills route parameters with, read from the data."""

    app: Any
    users: dict[str, Any] = field(default_factory=dict)     # persona -> User
    ids: dict[str, Any] = field(default_factory=dict)       # what -> id / code
    tokens: dict[str, str] = field(default_factory=dict)    # what -> signed token
    lang_tokens: dict[str, dict] = field(default_factory=dict)  # lang -> what -> token
    volunteer: dict[str, Any] = field(default_factory=dict)  # the door volunteer's session
    device_token: str = ""
    data: Any = None                                        # french.DataStrings
    clients: dict[tuple[str, str], Any] = field(default_factory=dict)

    def refresh_data(self) -> None:
        """What people typed, read again (the mail flows of this folder add some)."""
        from i18n.french import database_strings
        from network.extensions import db

        self.data = database_strings(db, extra=[self.app.config["SITE_NAME"]])

    def client(self, who: str, lang: str):
        """One client per (person, language), logged in by its session as a browser is."""
        key = (who, lang)
        if key not in self.clients:
            from conftest import IsolatedClient

            self.app.test_client_class = IsolatedClient
            client = self.app.test_client()
            client.set_cookie("lang", lang)  # the language switcher's cookie
            with client.session_transaction() as s:
                if who == "volunteer":
                    s["door_volunteer"] = dict(self.volunteer)
                elif who not in ("anon", "forum_guest"):
                    s["_user_id"] = self.users[who].session_token
                    s["_fresh"] = True
            if who == "forum_guest":  # a visitor who opened the job-dating link mailed
                client.get(f"/forum/{self.ids['forum_event']}/jobdating/invite/"
                           f"{self.tokens['forum_guest']}")
            self.clients[key] = client
        return self.clients[key]


def _path_of(url: str) -> str:
    from support import path_of

    return path_of(url)


def _link(to: str, contains: str) -> str:
    from support import link_from_outbox

    return link_from_outbox(to, contains)


def _first(db, query):
    value = db.session.scalar(query.limit(1))
    assert value is not None, f"the demo has no {query}"
    return value


def build_site(app) -> Site:
    """Load the demo, then add what it lacks, through the services as people would."""
    from sqlalchemy import select

    from network.accounts import services as accounts
    from network.accounts.models import OrganisationMember, OrgRole
    from network.core.auth import System
    from network.core.time import utcnow
    from network.core.uow import unit_of_work
    from network.demo import DEMO_PASSWORD, DEMO_STAFF_EMAIL, load_demo
    from network.directory import membership
    from network.directory.models import Structure, StructureStatus
    from network.events import devices, door, rules
    from network.events.models import Event, Registration
    from network.extensions import db
    from network.meetings.models import MeetingSession
    from network.offers import alerts, answers, jobdating
    from network.offers.listing import OfferFilters
    from network.offers.models import ForumExhibitor, Offer, OfferAnswer
    from network.outbox.models import OutboxMessage

    site = Site(app=app)
    with unit_of_work():
        load_demo()
    u = site.users
    u["staff"] = accounts.get_user_by_email(DEMO_STAFF_EMAIL)
    u["member"] = accounts.get_user_by_email("membre@example.org")
    u["buyer"] = accounts.get_user_by_email("acheteur@example.org")
    u["supplier"] = accounts.get_user_by_email("fournisseur@example.org")
    ids = site.ids
    structure = _first(db, select(Structure).where(Structure.status == StructureStatus.APPROVED)
                       .order_by(Structure.id))
    ids["structure"] = structure.id
    ids["my_structure"] = _owned_structure(db, u["member"])
    ids["pending_structure"] = db.session.scalar(
        select(Structure.id).where(Structure.status != StructureStatus.APPROVED).limit(1))
    now_events = list(db.session.scalars(select(Event).order_by(Event.start_at)))
    upcoming = [e for e in now_events if e.start_at >= utcnow()]
    ids["event"] = upcoming[0].id
    ids["past_event"] = next(e.id for e in now_events if e.start_at < utcnow())
    forum = _first(db, select(ForumExhibitor).order_by(ForumExhibitor.id))
    ids["forum_event"] = forum.event_id
    ids["exhibitor"] = forum.id
    ids["esspresso"] = _first(db, select(MeetingSession.id).order_by(MeetingSession.id))
    offer = _first(db, select(Offer).order_by(Offer.id))
    ids["offer"] = offer.id
    ids["offer_structure"] = offer.structure_id
    ids["answer"] = _first(db, select(OfferAnswer.id).order_by(OfferAnswer.id))
    reg = _first(db, select(Registration).where(Registration.user_id == u["member"].id)
                 .order_by(Registration.id))
    ids["registration"] = reg.id
    ids["badge"] = reg.badge_code
    ids["door_event"] = reg.event_id
    message = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).first()
    ids["message"] = message.id if message else None
    ids["buyer_org"] = _first(db, select(OrganisationMember.organisation_id)
                              .where(OrganisationMember.user_id == u["buyer"].id))
    from network.admin import figures, report
    from network.meetings.models import SIDE_B, MeetingParticipant

    ids["supplier"] = _first(db, select(MeetingParticipant.id).where(
        MeetingParticipant.session_id == ids["esspresso"], MeetingParticipant.side == SIDE_B)
        .order_by(MeetingParticipant.id))
    ids["figure"] = next(iter(figures.FIGURES))
    ids["year"] = max(report.years_available())
    tokens = site.tokens
    tokens["manage"] = rules.manage_token(reg)
    # The list of participants shows to those who agreed to be on it (the demo member did not).
    with unit_of_work():
        db.session.merge(reg).consents_to_list = True
    tokens["confirm"] = rules.confirm_token(reg)
    tokens["calendar"] = u["member"].calendar_token
    tokens["answer"] = answers.view_token(db.session.get(OfferAnswer, ids["answer"]))
    tokens["answer_confirm"] = answers.confirm_token(db.session.get(OfferAnswer, ids["answer"]))
    with unit_of_work():
        staff = db.session.merge(u["staff"])
        owner = db.session.merge(u["member"])
        event = db.session.get(Event, ids["door_event"])
        vol = door.invite(event, name="Sacha Bénévole", email="sacha.benevole@example.org",
                          acting=staff)
        db.session.flush()
        site.volunteer = door.session_value(vol)
        tokens["volunteer"] = _path_of(door.invite_link(vol)).rsplit("/", 1)[1]
        _dev, site.device_token = devices.issue(event, name="Tablette test i18n", acting=staff)
        my = db.session.get(Structure, ids["my_structure"])
        membership.invite(my, email="invitee@example.org", role=OrgRole.EDITOR, acting=owner)
        for lang in LANGS:  # links used up by their first visit: one set per language
            alerts.save_search(OfferFilters(q="animation"), acting=System("i18n crawl"),
                               email=f"alerte-{lang}@example.org")
            newcomer = accounts.sign_up(name=f"Nouvelle Personne {lang}",
                                        email=f"nouvelle-{lang}@example.org",
                                        password=DEMO_PASSWORD)
            newcomer.email_verified_at = utcnow()
            db.session.flush()
            accounts.request_email_change(acting=newcomer,
                                          new_email=f"nouvelle-{lang}-2@example.org",
                                          password=DEMO_PASSWORD)
        jobdating.send_guest_link(db.session.get(Event, ids["forum_event"]), "Alex Visiteur",
                                  "visiteur@example.org")
        accounts.request_password_reset("membre@example.org")
        from network.admin import broadcast

        tokens["unsubscribe"] = broadcast.make_token(broadcast.UNSUBSCRIBE,
                                                     {"id": u["member"].id})
    tokens["invitation"] = _link("invitee@example.org", "/annuaire/invitation/").rsplit("/", 1)[1]
    for lang in LANGS:
        site.lang_tokens[lang] = {
            "alert_confirm": _link(f"alerte-{lang}@example.org", "/alertes/confirmer/"),
            "alert_stop": _link(f"alerte-{lang}@example.org", "/alertes/arreter/"),
            "verify": _link(f"nouvelle-{lang}@example.org", "/verifier/"),
            "change_email": _link(f"nouvelle-{lang}-2@example.org", "/compte/adresse/"),
        }
        site.lang_tokens[lang] = {k: v.rsplit("/", 1)[1]
                                  for k, v in site.lang_tokens[lang].items()}
    tokens["forum_guest"] = _link("visiteur@example.org", "/jobdating/invite/").rsplit("/", 1)[1]
    tokens["reset"] = _link("membre@example.org", "/mot-de-passe/").rsplit("/", 1)[1]
    attachment = next((m for m in db.session.scalars(select(OutboxMessage)
                                                     .order_by(OutboxMessage.id))
                       if m.attachments), None)
    ids["attachment_message"] = attachment.id if attachment else None
    return site


def _owned_structure(db, user) -> int:
    from sqlalchemy import select

    from network.accounts.models import OrganisationMember
    from network.directory.models import Structure

    return _first(db, select(Structure.id).join(
        OrganisationMember, OrganisationMember.organisation_id == Structure.organisation_id)
        .where(OrganisationMember.user_id == user.id).order_by(Structure.id))


@pytest.fixture(scope="package")
def site(database_uri):
    """The demo site on the suite's database, for every test of this folder (emptied after
    them, as `app` does after each test)."""
    from conftest import _empty_tables
    from network import create_app
    from network.extensions import db

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri,
                      "MAIL_PREVIEW": False, "SITE_URL": "http://localhost"})
    with app.app_context():
        db.create_all()
        try:
            built = build_site(app)
            built.refresh_data()
            yield built
        finally:
            db.session.remove()
            _empty_tables(db)
            db.engine.dispose()
