"""Every mail in English and German (issue #17): the real flows send them through the outbox
(`outbox.services.enqueue`) to people whose language is English or German, while the staff
who trigger half of them work in French; subject, text and HTML must hold no French outside
what people typed.

Each template of templates/emails/ must be sent by one flow below (a partial by a template
that includes it): a template no flow covers fails, so the coverage is explicit.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest

from i18n.french import Leftovers, database_strings, fold, french_words, is_french, parse

ROOT = Path(__file__).resolve().parents[2]
EMAILS = ROOT / "templates" / "emails"


def mail_templates() -> tuple[set[str], dict[str, set[str]]]:
    """(templates sent, {partial: templates including it})."""
    names = {p.stem for p in EMAILS.glob("*.txt") if not p.name.startswith("_")}
    included: dict[str, set[str]] = {}
    for path in EMAILS.glob("*.*"):
        for name in re.findall(r'include\s+"emails/([a-z_]+)\.(?:txt|html)"', path.read_text()):
            included.setdefault(name, set()).add(path.stem)
    partials = {n for n in names if n in included}
    return names - partials, {n: included[n] for n in partials}


@dataclass
class Flows:
    lang: str
    errors: list[str] = field(default_factory=list)


@contextmanager
def page_in(app, lang: str):
    """A request in `lang`, as the page a person submits (the staff work in French)."""
    from flask_babel import refresh

    from network.core.uow import unit_of_work

    with app.test_request_context("/", headers={"Cookie": f"lang={lang}"}):
        refresh()  # the test's app context outlives this request: forget its cached language
        try:
            with unit_of_work():
                yield
        finally:
            refresh()


def run_flows(site, lang: str) -> Flows:  # noqa: C901  one flow per mail, in the open
    """Send every mail once to someone reading `lang`."""
    from sqlalchemy import select, update

    from network.accounts import services as accounts
    from network.accounts.models import OrganisationMember, OrgRole, User
    from network.core.auth import System
    from network.core.time import utcnow
    from network.demo import DEMO_PASSWORD
    from network.extensions import db

    app = site.app
    done = Flows(lang)
    n = {"fr": 0, "en": 1, "de": 2}[lang]
    # Everyone with an account chose `lang` (the staff too: they read their own mail in it).
    with page_in(app, "fr"):
        db.session.execute(update(User).values(locale=lang))

    def get(user_key):
        return db.session.get(User, site.users[user_key].id)

    def flow(name):
        def wrap(fn):
            try:
                fn()
            except Exception as err:  # noqa: BLE001  every broken flow is reported at once
                db.session.rollback()
                done.errors.append(f"{name}: {type(err).__name__}: {err}"[:300])
            return fn
        return wrap

    # --- accounts --------------------------------------------------------------------------
    @flow("sign up (verify_email, already_registered)")
    def _():
        with page_in(app, lang):
            accounts.sign_up(name="Robin Newcomer", email=f"newcomer-{lang}@example.org",
                             password=DEMO_PASSWORD)
        with page_in(app, lang):
            accounts.sign_up(name="Robin Newcomer", email=get("buyer").email,
                             password=DEMO_PASSWORD)

    @flow("password reset")
    def _():
        with page_in(app, "fr"):
            accounts.request_password_reset(get("supplier").email)

    @flow("e-mail change (change_email, email_change_notice)")
    def _():
        with page_in(app, "fr"):
            accounts.request_email_change(acting=get("supplier"),
                                          new_email=f"supplier-{lang}@example.org",
                                          password=DEMO_PASSWORD)

    # --- back office -------------------------------------------------------------------------
    @flow("news (admin_broadcast)")
    def _():
        from network.admin import broadcast

        with page_in(app, lang):
            broadcast.set_subscription(get("member"), True, acting=get("member"))
        with page_in(app, "fr"):
            broadcast.send(f"Nouvelles {lang}", "Le réseau vous écrit.", {},
                           acting=get("staff"))

    # --- directory -----------------------------------------------------------------------------
    @flow("directory (pending, approved, refused, suspended, join request/decided, invitation)")
    def _():
        from network.directory import membership, profiles
        from network.directory.demo import make_siret
        from network.directory.fields import StructureData

        def data(k):
            return StructureData(name=f"Structure {lang} {k}", siret=make_siret(7_000 + 10 * n + k),
                                 legal_form="association", rna=f"W57301{n}{k:03d}",
                                 postcode="57000", commune="Metz", territory="metz",
                                 sectors=["insertion"])

        with page_in(app, lang):
            kept = profiles.create_structure(data(1), acting=get("member"))
            refused = profiles.create_structure(data(2), acting=get("member"))
        with page_in(app, "fr"):
            profiles.approve_structure(kept, acting=get("staff"))
            profiles.refuse_structure(refused, acting=get("staff"), reason="SIRET introuvable.")
        with page_in(app, lang):
            request = membership.request_to_join(kept, acting=get("buyer"), message="Hello")
        with page_in(app, lang):
            membership.decide_join_request(request, acting=get("member"), accept=True)
            membership.invite(kept, email=f"invited-{lang}@example.org", role=OrgRole.EDITOR,
                              acting=get("member"))
        with page_in(app, "fr"):
            profiles.suspend_structure(kept, acting=get("staff"), reason="Fiche à revoir.")

    # --- events --------------------------------------------------------------------------------
    @flow("events (confirmed, waitlisted, pending, cancelled, offer, offer expired, updated, "
          "message, reminder, event cancelled, door invite)")
    def _():
        from network.events import door, registration, staff, waitlist
        from network.events.models import EventKind
        from network.events.notices import send_reminders
        from network.events.rules import VISITOR
        from network.events.territories import by_code

        start = utcnow().replace(microsecond=0) + timedelta(days=20 + n)
        with page_in(app, "fr"):
            event = staff.create_event(staff.EventData(
                kind=EventKind.BREAKFAST, title=f"Breakfast {lang}", start_at=start,
                end_at=start + timedelta(hours=2), territory_id=by_code("metz").id,
                venue_name="Salle Braun", venue_address="Metz", capacity=2),
                acting=get("staff"))
            staff.publish_event(event, acting=get("staff"))

        def register(key):
            with page_in(app, lang):
                person = get(key)
                return registration.register(event, registration.prefill(person),
                                             acting=person).registration

        first = register("member")                       # confirmed
        with page_in(app, lang):                         # a guest: pending, holds a seat
            registration.register(event, registration.Answers(
                name="Sam Guest", email=f"guest-{lang}@example.org",
                organisation_name="Guest org"), acting=VISITOR)
        register("buyer")                                # waitlisted
        register("supplier")                             # waitlisted
        with page_in(app, lang):                         # cancelled: the buyer is offered
            registration.cancel_registration(db.session.merge(first), acting=get("member"))
        with page_in(app, "fr"):                         # offer and hold lapse
            waitlist.expire_lapsed(now=utcnow() + timedelta(days=3), event_id=event.id)
        register("staff")                                # confirmed again
        with page_in(app, "fr"):
            data = staff.EventData.of(event)
            data.start_at += timedelta(hours=1)
            data.end_at += timedelta(hours=1)
            staff.update_event(event, data, acting=get("staff"))
            staff.message_all(event, "Agenda", "Agenda: ESS 2026.",  # typed by staff: data
                              acting=get("staff"))
            send_reminders(acting=System("i18n"), now=event.start_at - timedelta(hours=12))
        with page_in(app, lang):  # a volunteer has no account: the inviting page's language
            door.invite(event, name="Alex Door", email=f"door-{lang}@example.org",
                        acting=get("staff"))
        with page_in(app, "fr"):
            staff.cancel_event(event, acting=get("staff"))

    # --- offers, forum -------------------------------------------------------------------------
    @flow("offers (alert confirm, alert, answer confirm/received/new/status, unpublished)")
    def _():
        from network.offers import alerts, answers, listing, offers
        from network.offers.models import Offer, OfferState

        published = db.session.scalars(select(Offer).where(
            Offer.state == OfferState.PUBLISHED).order_by(Offer.id.desc())).all()
        offer, other = published[2 * n], published[2 * n + 1]
        with page_in(app, lang):  # an account answers at once (offer_answer_received)
            answers.answer_offer(other, answers.AnswerData(message="I would like to help."),
                                 acting=get("member"))
        with page_in(app, lang):
            alert = alerts.save_search(listing.OfferFilters(), acting=System("visitor"),
                                       email=f"alert-{lang}@example.org")
        with page_in(app, lang):
            alerts.confirm_alert(acting=alerts.guest_from_token(
                alerts._token(alerts.CONFIRM, alert), alerts.CONFIRM))
        with page_in(app, "fr"):
            alerts.notify_published(offer)
        with page_in(app, lang):
            answer = answers.answer_offer(offer, answers.AnswerData(
                message="I would like to help.", name="Kim Candidate",
                email=f"candidate-{lang}@example.org"), acting=System("visitor"))
        with page_in(app, lang):
            answers.confirm_answer(acting=answers.guest_from_token(
                answers.confirm_token(answer), purpose=answers.CONFIRM))
        with page_in(app, "fr"):
            answers.set_answer_status(answer, "retained", acting=get("staff"))
            offers.unpublish_offer(offer, acting=get("staff"), reason="Offre en double.")

    @flow("forum (forum_visitor_link, interview booked/cancelled, cancelled for the visitor, "
          "interviews scheduled)")
    def _():
        from network.core.auth import Guest
        from network.events.models import Event
        from network.offers import exhibitors, jobdating
        from network.offers.models import ExhibitorStatus

        event = db.session.get(Event, site.ids["forum_event"])
        with page_in(app, lang):
            jobdating.send_guest_link(event, "Jo Visitor", f"visitor-{lang}@example.org")
        # A guest visitor books at a stand and cancels; another wishes, the organiser's run
        # places the interview: the stand's team (reading `lang`) is told each time.
        js = jobdating.session_of(event)
        js.published_at = None  # an earlier language's run published it: wishes open again
        stands = [e for e in exhibitors.list_for_staff(event, acting=get("staff"))
                  if e.status == ExhibitorStatus.ACCEPTED and e.participant_id]
        stand = stands[n % len(stands)]
        guests = [Guest(email=f"{who}-{lang}@example.org", scope=f"meetings:{js.id}")
                  for who in ("booker", "wisher")]
        with page_in(app, lang):
            for guest, name in zip(guests, ("Jo Booker", "Jo Wisher"), strict=True):
                jobdating.join_as_visitor(event, acting=guest, name=name)
            visitor = jobdating.visitor_of(js, guests[0])
            free = jobdating.free_slots_at(js, visitor,
                                           jobdating.exhibitor_participant(js, stand))
            meeting = jobdating.book_interview(event, stand, free[0], acting=guests[0])
        with page_in(app, lang):
            jobdating.cancel_interview(event, meeting.id, acting=guests[0])
            jobdating.set_wish(event, stand, 3, acting=guests[1])
            # Booked again, then dropped by the organiser: the visitor is told this time.
            again = jobdating.book_interview(event, stand, free[0], acting=guests[0])
            jobdating.cancel_interview(event, again.id, acting=get("staff"))
        with page_in(app, "fr"):
            run = jobdating.run_scheduler(event, acting=get("staff"))
            jobdating.publish_run(event, run.id, acting=get("staff"))

    # --- ESSpresso -----------------------------------------------------------------------------
    @flow("ESSpresso (booked, declined, cancelled, moved, published, outcomes)")
    def _():
        from network.esspresso import agendas, meetings, outcomes
        from network.meetings import booking
        from network.meetings.models import SIDE_B, Meeting, MeetingParticipant
        from network.meetings.models import MeetingSession as Session

        session = db.session.get(Session, site.ids["esspresso"])
        met = db.session.scalars(select(Meeting).where(Meeting.session_id == session.id)
                                 .order_by(Meeting.id).offset(3 * n)).all()
        with page_in(app, "fr"):
            agendas.send_agendas(session, [met[0].a, met[0].b], {met[0].a_id: 1, met[0].b_id: 1})
            agendas.meeting_moved(session, met[0], met[0].slot_index, met[0].table_number)
        with page_in(app, "fr"):
            meetings.cancel_meeting(session, met[1].id, acting=get("staff"))
        def team_user(participant):
            if participant.user_id:
                return db.session.get(User, participant.user_id)
            return db.session.scalars(select(User).join(OrganisationMember).where(
                OrganisationMember.organisation_id == participant.organisation_id)).first()

        declined = met[2]
        with page_in(app, "fr"):
            meetings.decline_meeting(session, declined.id, acting=team_user(declined.b))
        with page_in(app, lang):  # a buyer whose meeting was dropped books another
            suppliers = db.session.scalars(select(MeetingParticipant).where(
                MeetingParticipant.session_id == session.id,
                MeetingParticipant.side == SIDE_B).order_by(MeetingParticipant.id)).all()
            pairs = [(db.session.merge(m).a, supplier) for m in (met[1], met[2])
                     for supplier in suppliers]
            buyer, supplier, free = next((b, s, f) for b, s in pairs
                                         if (f := booking.free_slots(session, b, s)))
            meetings.book_meeting(session, buyer.id, supplier.id, free[0],
                                  acting=team_user(buyer))
        with page_in(app, "fr"):
            # Two people are asked for their outcomes (the others were, as if already asked:
            # a mail per participant of the demo would only slow the test down).
            asked = [met[0].a_id, met[0].b_id]
            db.session.execute(update(MeetingParticipant).where(
                MeetingParticipant.session_id == session.id,
                MeetingParticipant.id.not_in(asked)).values(outcomes_reminded_at=utcnow()))
            db.session.execute(update(MeetingParticipant).where(
                MeetingParticipant.id.in_(asked)).values(outcomes_reminded_at=None))
            outcomes.remind(now=session.ends_at + outcomes.REMIND_AFTER + timedelta(hours=1))

    return done


def check_mails(site, since: int, lang: str) -> tuple[Leftovers, set[str], list[str]]:
    from sqlalchemy import select

    from network.extensions import db
    from network.outbox.models import OutboxMessage

    data = database_strings(db, extra=[site.app.config["SITE_NAME"]],
                            skip=("outbox_messages",))
    from network.directory.rules import staff_address

    team = staff_address()  # the Département's own mailbox reads French, by design
    found, kinds, wrong = Leftovers(), set(), []
    for message in db.session.scalars(select(OutboxMessage).where(OutboxMessage.id > since)
                                      .order_by(OutboxMessage.id)):
        kinds.add(message.kind)
        if any(f"-{other}@" in message.to_address for other in ("fr", "en", "de") if other != lang):
            continue  # sent to someone of another run (an earlier run's alert matches this offer)
        if message.to_address == team:
            if parse(message.body_html)[0] != "fr":
                wrong.append(f"{message.kind} (to the team: French expected)")
            continue
        parts = [("subject", [fold(message.subject)]),
                 ("text", [fold(line) for line in message.body_text.splitlines()
                           if line.strip()]),
                 ("html", parse(message.body_html)[1])]
        lang_attr = parse(message.body_html)[0]
        if lang_attr not in (None, lang) and message.kind not in wrong:
            wrong.append(message.kind)
        for part, fragments in parts:
            for fragment in fragments:
                rest = data.without(fragment)
                if rest and is_french(rest, lang):
                    found.add(lang, f"{message.kind} ({part})", fragment,
                              french_words(rest, lang),
                              DOMAINS.get(message.kind.split("_")[0], "?"), key=rest)
    return found, kinds, wrong


DOMAINS = {"already": "accounts", "change": "accounts", "email": "accounts",
           "password": "accounts", "verify": "accounts", "admin": "admin",
           "directory": "directory", "door": "events", "event": "events",
           "esspresso": "esspresso", "offer": "offers", "forum": "offers"}


@pytest.mark.parametrize("lang", ("en", "de"))
def test_every_mail_in_the_recipients_language(site, lang):
    from sqlalchemy import func, select

    from network.extensions import db
    from network.outbox.models import OutboxMessage

    since = db.session.scalar(select(func.max(OutboxMessage.id))) or 0
    flows = run_flows(site, lang)
    found, kinds, wrong = check_mails(site, since, lang)
    sent, partials = mail_templates()
    covered = kinds | {p for p, users in partials.items() if users & kinds}
    missing = sorted((sent | set(partials)) - covered)
    message = []
    if flows.errors:
        message += ["flows that failed (their mails are not checked):"]
        message += [f"  {e}" for e in flows.errors]
    if missing:
        message += [f"templates no flow sent ({len(missing)}): {', '.join(missing)}"]
    if wrong:
        message += [f"mails whose HTML is not marked <html lang={lang!r}>: {', '.join(wrong)}"]
    if found.count():
        counts = ", ".join(f"{d}: {c}" for d, c in found.by_domain(lang).items())
        message += [f"French left in {lang} mails ({counts}):", found.report()]
    assert not message, "\n".join(message)
