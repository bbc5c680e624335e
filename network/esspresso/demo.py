"""ESSpresso demo: a ready session on the demo ESSpresso event, with 22 buyers, about 40 ESS
suppliers (the directory's demo structures and more of the Moselle, invented, in real
communes), needs, offers, wishes and a few bookings. Idempotent (by SIRET and by e-mail)."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from network.accounts import services as accounts
from network.accounts.models import OrgRole
from network.core.errors import DomainError
from network.core.time import PARIS, as_utc, paris_to_utc, to_paris, utcnow
from network.directory import profiles as directory
from network.directory.demo import COMMUNES, make_siret
from network.directory.fields import StructureData
from network.directory.models import PurchaseCategory, Structure, StructureStatus
from network.esspresso import buyers, meetings, planning, registration
from network.esspresso.models import AmountBracket
from network.events.models import Event, EventKind
from network.extensions import db
from network.meetings import sessions as engine_sessions
from network.meetings.models import FollowUp
from network.meetings.participants import Presence

DEMO_BUYER_EMAIL = "acheteur@example.org"
DEMO_SUPPLIER_EMAIL = "fournisseur@example.org"

# (name, legal form, buyer kind (SIAE/EA/ESAT), purchase categories, territory)
SUPPLIERS = [
    ("Atelier Chantier Bois de Yutz", "association-insertion", "aci", ["batiment", "reemploi"],
     "thionville"),
    ("ESAT Les Tilleuls", "association", "esat", ["espaces-verts", "blanchisserie",
                                                  "traiteur"], "sarreguemines-bitche"),
    ("Entreprise Adaptée Moselle Services", "sas-esus", "ea", ["proprete", "logistique",
                                                               "mise-a-disposition"], "metz"),
    ("Traiteur Solidaire du Val de Fensch", "association-insertion", "ei", ["traiteur",
                                                                         "evenementiel"],
     "thionville"),
    ("Coopérative Nettoyage Plus", "scop-sarl", "none", ["proprete"], "metz"),
    ("Recyclerie du Pays de Bitche", "association-insertion", "aci", ["reemploi",
                                                                   "logistique"],
     "sarreguemines-bitche"),
    ("Blanchisserie Solidaire de Forbach", "association-insertion", "ei", ["blanchisserie",
                                                                        "textile"],
     "forbach-boulay"),
    ("Mobilité Solidaire Saulnois", "association", "none", ["transport"],
     "sarrebourg-chateau-salins"),
    ("ESAT du Saulnois", "association", "esat", ["espaces-verts", "impression",
                                                 "logistique"], "sarrebourg-chateau-salins"),
    ("Intérim Insertion Moselle", "sas-esus", "etti", ["mise-a-disposition"], "metz"),
    ("Association Intermédiaire Val de Sarre", "association-intermediaire", "ai",
     ["mise-a-disposition", "proprete"], "sarreguemines-bitche"),
    ("Scic Énergie Citoyenne Lorraine", "coop-sas", "none", ["batiment"], "metz"),
    ("Couture et Création Borny", "association-insertion", "aci", ["textile", "evenementiel"],
     "metz"),
    ("Entreprise Adaptée Graphique Est", "sarl-esus", "ea", ["impression", "communication"],
     "forbach-boulay"),
    ("Jardins de Cocagne de Thionville", "association-insertion", "aci", ["espaces-verts",
                                                                       "traiteur"],
     "thionville"),
    ("Scop Les Compagnons Charpentiers", "scop-sa-ca", "none", ["batiment"], "forbach-boulay"),
    ("Régie de Territoire de Creutzwald", "association-insertion", "ei", ["proprete",
                                                                       "espaces-verts",
                                                                       "batiment"],
     "forbach-boulay"),
    ("Numérique Inclusif Messin", "association", "ei", ["informatique-reconditionnee",
                                                        "communication"], "metz"),
    ("Transports Adaptés de la Nied", "association", "none", ["transport"], "forbach-boulay"),
    ("ESAT Horizon Sarrebourg", "association", "esat", ["traiteur", "blanchisserie",
                                                        "reemploi"],
     "sarrebourg-chateau-salins"),
    ("Atelier Vélo Solidaire Metz", "association-insertion", "aci", ["reemploi", "transport"],
     "metz"),
    ("Cuisine Centrale Solidaire Hayange", "association-insertion", "ei", ["traiteur"],
     "thionville"),
    ("Coopérative d'Activité et d'Emploi Moselle", "coop-sarl", "none", ["communication",
                                                                      "evenementiel",
                                                                      "impression"], "metz"),
    ("Entreprise Adaptée Logistique Lorraine", "sas-esus", "ea", ["logistique",
                                                                  "mise-a-disposition"],
     "thionville"),
    ("Ressourcerie du Warndt", "association-insertion", "aci", ["reemploi", "textile"],
     "forbach-boulay"),
    ("Propreté Insertion Sarreguemines", "association-insertion", "ei", ["proprete"],
     "sarreguemines-bitche"),
    ("Fleurs et Paysages Solidaires", "association-insertion", "aci", ["espaces-verts"],
     "metz"),
    ("Scop Imprim'Vert Lorraine", "scop-sarl", "none", ["impression"], "thionville"),
    ("ESAT Les Ateliers du Rohrbach", "association", "esat", ["logistique", "proprete"],
     "sarreguemines-bitche"),
    ("Informatique Réemploi Thionville", "association-insertion", "ei",
     ["informatique-reconditionnee"], "thionville"),
    ("Événements Solidaires Saint-Avold", "association", "none", ["evenementiel", "traiteur"],
     "forbach-boulay"),
    ("Bâtiment Insertion Dieuze", "association-insertion", "aci", ["batiment",
                                                                  "espaces-verts"],
     "sarrebourg-chateau-salins"),
    ("Atelier Textile Solidaire de Woippy", "association-insertion", "ei", ["textile",
                                                                         "blanchisserie"],
     "metz"),
    ("Coopérative Agricole Saveurs du Saulnois", "coop-agricole", "none", ["traiteur"],
     "sarrebourg-chateau-salins"),
]

# (name, buyer type, NAF, territory, [(category, description, amount, timing, reservation,
#   social clause)])
BUYERS = [
    ("Ville de Fameck (démo)", "collectivite", "84.11Z", "thionville", [
        ("traiteur", "Repas des écoles et portage à domicile", "plus-221k", "12-mois", "aucune",
         True),
        ("espaces-verts", "Entretien des parcs et cimetières", "90k-221k", "6-mois", "siae",
         False)]),
    ("Communauté d'agglomération Portes de France (démo)", "epci", "84.11Z", "thionville", [
        ("reemploi", "Réemploi en déchèterie : caissons et valorisation", "90k-221k", "12-mois",
         "siae", False)]),
    ("Centre hospitalier de Sarreguemines (démo)", "hopital", "86.10Z", "sarreguemines-bitche",
     [("blanchisserie", "Linge des services : lavage et repassage", "plus-221k", "12-mois",
       "ea-esat", False),
      ("logistique", "Navettes internes et manutention", "40k-90k", "6-mois", "aucune", True)]),
    ("Moselis Habitat (démo)", "bailleur-social", "68.20A", "metz", [
        ("proprete", "Nettoyage des parties communes de 40 résidences", "plus-221k", "6-mois",
         "aucune", True),
        ("batiment", "Petits travaux de remise en état de logements", "90k-221k", "12-mois",
         "siae", False)]),
    ("Logistique Lorraine Express SAS (démo)", "entreprise", "52.29A", "metz", [
        ("mise-a-disposition", "Renforts de manutention pour les pics d'activité", "40k-90k",
         "immediat", "aucune", False)]),
    ("Imprimerie Messine Industrielle (démo)", "entreprise", "18.12Z", "metz", [
        ("reemploi", "Valorisation des chutes de papier et palettes", "moins-40k", "6-mois",
         "aucune", False)]),
    ("Ville de Forbach (démo)", "collectivite", "84.11Z", "forbach-boulay", [
        ("evenementiel", "Fêtes de quartier : logistique et animation", "40k-90k", "6-mois",
         "aucune", False),
        ("textile", "Costumes et décors du carnaval", "moins-40k", "12-mois", "siae", False)]),
    ("Communauté de communes du Saulnois (démo)", "epci", "84.11Z",
     "sarrebourg-chateau-salins", [
         ("transport", "Transport à la demande des personnes âgées", "90k-221k", "12-mois",
          "aucune", True)]),
    ("Hôtel-restaurant Le Mosellan (démo)", "entreprise", "55.10Z", "metz", [
        ("blanchisserie", "Linge de lit et de table", "40k-90k", "immediat", "aucune", False),
        ("traiteur", "Produits locaux pour la carte", "moins-40k", "6-mois", "aucune", False)]),
    ("Banque Coopérative de l'Est (démo)", "entreprise", "64.19Z", "metz", [
        ("informatique-reconditionnee", "Reprise et reconditionnement de 300 postes",
         "40k-90k", "6-mois", "aucune", False),
        ("impression", "Rapports annuels et plaquettes", "moins-40k", "12-mois", "ea-esat",
         False)]),
    ("Département de la Moselle — achats (démo)", "departement-region", "84.11Z", "", [
        ("espaces-verts", "Fauchage des bords de routes départementales", "plus-221k",
         "12-mois", "siae", False),
        ("traiteur", "Collations des événements du Département", "40k-90k", "6-mois",
         "ea-esat", False)]),
    ("Clinique Saint-Nabor (démo)", "hopital", "86.10Z", "forbach-boulay", [
        ("proprete", "Bio-nettoyage de deux étages", "90k-221k", "6-mois", "aucune", True)]),
    ("Ville de Sarrebourg (démo)", "collectivite", "84.11Z", "sarrebourg-chateau-salins", [
        ("espaces-verts", "Fleurissement et entretien des massifs", "40k-90k", "6-mois",
         "aucune", True),
        ("reemploi", "Mobilier de réemploi pour la médiathèque", "moins-40k", "6-mois",
         "aucune", False)]),
    ("Acier Moselle Industrie SA (démo)", "entreprise", "24.10Z", "thionville", [
        ("logistique", "Gestion du magasin de pièces détachées", "90k-221k", "12-mois",
         "ea-esat", False),
        ("textile", "Réparation des vêtements de travail", "40k-90k", "6-mois", "aucune",
         False)]),
    ("Office de tourisme du Pays de Bitche (démo)", "autre-public", "79.90Z",
     "sarreguemines-bitche", [
         ("evenementiel", "Marchés de Noël : montage des chalets", "moins-40k", "6-mois",
          "aucune", False)]),
    ("Résidence Autonomie Les Lilas (démo)", "autre-public", "87.30A", "metz", [
        ("traiteur", "Repas du soir livrés", "40k-90k", "immediat", "aucune", True)]),
    ("Supermarché Coop Metz-Nord (démo)", "entreprise", "47.11D", "metz", [
        ("reemploi", "Invendus non alimentaires à valoriser", "moins-40k", "immediat",
         "aucune", False),
        ("transport", "Livraisons à domicile des clients âgés", "40k-90k", "6-mois", "aucune",
         False)]),
    ("Lycée professionnel Saint-Avold (démo)", "autre-public", "85.32Z", "forbach-boulay", [
        ("informatique-reconditionnee", "Postes pour les salles informatiques", "40k-90k",
         "12-mois", "aucune", False)]),
    ("Ville de Yutz (démo)", "collectivite", "84.11Z", "thionville", [
        ("proprete", "Nettoyage des écoles pendant les vacances", "40k-90k", "6-mois", "siae",
         False)]),
    ("Brasserie Artisanale de Moselle (démo)", "entreprise", "11.05Z", "metz", [
        ("communication", "Étiquettes et site web", "moins-40k", "6-mois", "aucune", False),
        ("logistique", "Conditionnement des coffrets de fin d'année", "moins-40k", "6-mois",
         "ea-esat", False)]),
    ("Préfecture de la Moselle — services (démo)", "etat", "84.11Z", "metz", [
        ("impression", "Impression de supports de sensibilisation", "40k-90k", "6-mois",
         "ea-esat", False)]),
    ("Syndicat des eaux de Sarreguemines (démo)", "epci", "36.00Z", "sarreguemines-bitche", [
        ("espaces-verts", "Entretien des abords des captages", "40k-90k", "12-mois", "aucune",
         True)]),
]


def _demo_user(email: str, name: str, password: str):
    user = accounts.get_user_by_email(email)
    if user is None:
        user = accounts.sign_up(name=name, email=email, password=password)
        user.email_verified_at = utcnow()
        db.session.flush()
    return user


def _demo_event():
    # The next ESSpresso event: the back office's history holds past ones.
    return db.session.scalar(select(Event).where(Event.kind == EventKind.ESSPRESSO,
                                                 Event.start_at >= utcnow())
                             .order_by(Event.start_at).limit(1))


def _structures(staff, password: str) -> int:
    """The demo's ESS suppliers, each owned by a contact account; how many were added."""
    rng = random.Random(1957)
    added = 0
    for index, (name, form, kind, categories, territory) in enumerate(SUPPLIERS):
        siret = make_siret(57_500 + index)
        if directory.structure_by_siret(siret) is not None:
            continue
        postcode, commune = rng.choice(COMMUNES[territory])
        owner = _demo_user(f"fournisseur-{index + 1}@example.org" if index else
                           DEMO_SUPPLIER_EMAIL, f"Contact {name}", password)
        data = StructureData(
            name=name, siret=siret, legal_form=form, buyer_kind=kind, postcode=postcode,
            commune=commune, territory=territory,
            coop_status="scop" if form.startswith("scop") else "none",
            rna=f"W57{rng.randint(2, 9)}{500 + index:06d}" if form.startswith("association")
            and form not in ("association-droit-local",) else "",
            address=f"{rng.randint(1, 90)} rue de l'Industrie",
            area_served=rng.choice(["territoire", "departement"]),
            sectors=["insertion"] if kind != "none" else ["economie-emploi"],
            offerings=[(c, "prestation", "departement") for c in categories],
            description="Fournisseur de l'ESS en Moselle.\n\nStructure fictive créée pour la "
                        "démonstration d'ESSpresso.",
            labels=[("esus", None, None)] if form.endswith("-esus") else
            [("siae-conventionnee", None, None)] if kind in ("aci", "ei", "etti", "ai") else [],
            public_email=f"contact-esspresso{index}@exemple.org", show_contact=True)
        structure = directory.create_structure(acting=owner, data=data)
        directory.approve_structure(structure, acting=staff)
        added += 1
    return added


def _buyer(index: int, password: str):
    """The demo buyer BUYERS[index] and the account of its purchasing manager."""
    name, kind, naf, territory, _needs = BUYERS[index]
    email = DEMO_BUYER_EMAIL if index == 0 else f"acheteur-{index + 1}@example.org"
    user = _demo_user(email, f"Responsable achats {index + 1}", password)
    profile = buyers.buyer_of_siret(make_siret(58_000 + index)) or buyers.create_buyer(
        buyers.BuyerData(name=name, buyer_type=kind, siret=make_siret(58_000 + index),
                         naf_code=naf, postcode="57000", commune="Metz", territory=territory,
                         description="Organisation fictive pour la démonstration."),
        acting=user)
    return profile, user


def _contact(structure, staff, password: str):
    """Someone of the structure's team (not the staff account): the demo acts as them."""
    from network.accounts.models import OrganisationMember, User

    users = list(db.session.scalars(select(User).join(
        OrganisationMember, OrganisationMember.user_id == User.id).where(
        OrganisationMember.organisation_id == structure.organisation_id)))
    for user in users:
        if not user.is_staff:
            return user
    contact = _demo_user(f"contact-structure-{structure.id}@example.org",
                         f"Contact {structure.display_name}", password)
    accounts.set_member(structure.organisation_id, contact, OrgRole.EDITOR, acting=staff)
    return contact


def load(*, staff, member, password: str | None = None) -> list[str]:
    from network.demo import DEMO_PASSWORD

    password = password or DEMO_PASSWORD
    return load_next(staff, password) + load_past(staff=staff, password=password)


def load_next(staff, password: str) -> list[str]:
    """The coming session, ready: registrations, wishes, bookings, a published agenda."""
    event = _demo_event()
    if event is None:
        return []
    session = engine_sessions.session_for_event(event.id)
    if session is not None:
        return []
    done = []
    added = _structures(staff, password)
    if added:
        done.append(f"ESSpresso : {added} fournisseurs de l'ESS")
    day = to_paris(event.start_at).date()

    def at(hour: int, minute: int) -> datetime:
        return paris_to_utc(datetime.combine(day, time(hour, minute)).replace(tzinfo=PARIS))

    eve = at(18, 0) - timedelta(days=2)
    session = planning.create_session(planning.SessionForm(
        event_id=event.id, slot_minutes=15, tables_count=16,
        breaks=[(at(15, 30), at(15, 45))], booking_closes_at=eve, wishes_close_at=eve),
        acting=staff)
    db.session.flush()
    categories = {c.code: c.id for c in db.session.scalars(select(PurchaseCategory))}
    rng = random.Random(2026)

    # Suppliers: every approved structure with offers, registered by a member of its team.
    suppliers = []
    for structure in db.session.scalars(select(Structure).where(
            Structure.status == StructureStatus.APPROVED).order_by(Structure.id)):
        if not structure.offerings:
            continue
        contact = _contact(structure, staff, password)
        presence = Presence(max_meetings=rng.choice([None, 6, 8]))
        if rng.random() < 0.15:
            presence.arrives_at = at(14, 45)
        suppliers.append(registration.register_supplier(
            session, structure.organisation_id, presence,
            [o.category_id for o in structure.offerings], acting=contact))

    # Buyers: a company or public body each, with its needs.
    buyer_parts = []
    for index, (_name, _kind, _naf, _territory, needs) in enumerate(BUYERS):
        profile, user = _buyer(index, password)
        first, *more = needs
        presence = Presence(max_meetings=rng.choice([4, 6, None]))
        if rng.random() < 0.2:
            presence.leaves_at = at(16, 0)
        p = registration.register_buyer(session, profile, presence, _need(categories, first),
                                        acting=user)
        for need in more:
            registration.add_need(session, p, _need(categories, need), acting=user)
        buyer_parts.append((p, user))
    done.append(f"ESSpresso : session de {len(session.slots)} créneaux, {len(buyer_parts)} "
                f"acheteurs, {len(suppliers)} fournisseurs")

    # Wishes from both sides, following the suggested matches; a few bookings.
    from network.esspresso.catalogue import Filters, catalogue

    wishes = bookings = 0
    for p, user in buyer_parts:
        shown, _me = catalogue(session, Filters(), acting=user)
        ranked = [e for e in shown if e.match] or shown
        for e in ranked[:rng.randint(3, 6)]:
            meetings.mark_wish(session, p.id, e.participant.id, rng.choice([1, 2, 2, 3, 3]),
                               acting=user)
            wishes += 1
    for sp in suppliers[::3]:
        contact = _contact(db.session.get(Structure, _structure_id(sp)), staff, password)
        shown, _me = catalogue(session, Filters(suggested=True), acting=contact)
        for e in shown[:2]:
            meetings.mark_wish(session, sp.id, e.participant.id, rng.choice([1, 2, 3]),
                               acting=contact)
            wishes += 1
    for (p, user), slot in zip(buyer_parts[:6], (0, 1, 2, 3, 4, 5), strict=True):
        shown, _me = catalogue(session, Filters(suggested=True), acting=user)
        for e in shown[:1]:
            try:
                with db.session.begin_nested():  # a booking that does not fit leaves nothing
                    meetings.book_meeting(session, p.id, e.participant.id, slot, acting=user)
                bookings += 1
            except DomainError:  # a demo booking that does not fit is skipped
                continue
    done.append(f"ESSpresso : {wishes} souhaits, {bookings} rendez-vous réservés "
                f"(compte acheteur {DEMO_BUYER_EMAIL}, fournisseur {DEMO_SUPPLIER_EMAIL})")

    # The organiser runs the scheduler and publishes: every agenda (page, PDF, .ics) and the
    # room screen can be seen at once (the agendas wait in the outbox like any mail).
    run = planning.run_scheduler(session, acting=staff, time_limit=3.0)
    planning.publish(session, run.id, acting=staff)
    db.session.flush()
    done.append(f"ESSpresso : agenda publié, {run.figures['meetings']} rendez-vous "
                f"(écran de salle /esspresso/{session.id}/ecran)")
    return done


def _structure_id(participant) -> int:
    return db.session.scalar(select(Structure.id).where(
        Structure.organisation_id == participant.organisation_id))


def _need(categories: dict[str, int], need) -> registration.NeedData:
    code, description, amount, timing, reservation, clause = need
    return registration.NeedData(category_id=categories[code], description=description,
                                 amount=amount, timing=timing, reservation=reservation,
                                 has_social_clause=clause)



# --- a past session: what the impact page and the figures count -------------------------------

PAST_TITLE = "ESSpresso du Nord mosellan : achats responsables"
#: Indexes in BUYERS (the demo buyer account first): public and private buyers of the north.
PAST_BUYERS = (0, 1, 2, 3, 8, 10, 13, 18)
#: What came of the held meetings (per cent), whichever side says it.
PAST_FOLLOW_UPS = ((FollowUp.QUOTE, 30), (FollowUp.PARTNERSHIP, 10), (FollowUp.CONTRACT, 20))
DEAL_AMOUNTS = (AmountBracket.UNDER_40K, AmountBracket.UNDER_90K, AmountBracket.UNDER_221K)


def past_day(today: date) -> date:
    """About seven weeks ago, a Thursday: within the two months outcomes are still asked for,
    so the staff's to-do shows the reports still missing."""
    day = today - timedelta(days=49)
    return day - timedelta(days=(day.weekday() - 3) % 7)


def load_past(*, staff, password: str, today: date | None = None) -> list[str]:
    """A session held weeks ago, made as it would have been, each step at its own date
    (`now=`): registrations, wishes, a booking or two, the agenda published on the eve; on
    the day the organisers mark each meeting held or missed and let people in at the door;
    afterwards each side reports how its meetings went, some only after the reminder.
    Idempotent: the past event is found by its title."""
    if db.session.scalar(select(Event.id).where(Event.title == PAST_TITLE)) is not None:
        return []
    from network.esspresso import outcomes
    from network.esspresso.catalogue import Filters, catalogue
    from network.events import checkin
    from network.events import staff as events_staff
    from network.events.models import Registration
    from network.events.territories import by_code
    from network.meetings import day as engine_day
    from network.meetings.booking import list_meetings

    today = today or to_paris(utcnow()).date()
    day = past_day(today)

    def at(d: date, hour: int, minute: int = 0) -> datetime:
        return paris_to_utc(datetime.combine(d, time(hour, minute)).replace(tzinfo=PARIS))

    done = []
    added = _structures(staff, password)
    if added:
        done.append(f"ESSpresso : {added} fournisseurs de l'ESS")
    rng = random.Random(1984)
    event = events_staff.create_event(events_staff.EventData(
        kind=EventKind.ESSPRESSO, title=PAST_TITLE, start_at=at(day, 9), end_at=at(day, 12),
        subtitle="Événement passé (démonstration) : rendez-vous tenus et bilans",
        description="Des acheteurs publics et privés du nord de la Moselle rencontrent des "
                    "fournisseurs de l'ESS, vingt minutes par rendez-vous.",
        territory_id=by_code("thionville").id, venue_name="Espace Bel Air",
        venue_address="2 rue du Bel Air, 57100 Thionville",
        organiser="Département de la Moselle", partners="CRESS Grand Est", capacity=80),
        acting=staff)
    events_staff.publish_event(event, acting=staff)
    eve = at(day - timedelta(days=2), 18)
    session = planning.create_session(planning.SessionForm(
        event_id=event.id, slot_minutes=20, tables_count=8, booking_closes_at=eve,
        wishes_close_at=eve), acting=staff)
    opens = at(day - timedelta(days=35), 10)
    categories = {c.code: c.id for c in db.session.scalars(select(PurchaseCategory))}

    def dated(participant, when: datetime) -> None:
        # The services stamp the row with the real clock; the past had its own.
        participant.created_at = when
        if participant.registration_id:
            db.session.get(Registration, participant.registration_id).created_at = when

    buyer_parts, wanted = [], set()
    for k, index in enumerate(PAST_BUYERS):
        profile, user = _buyer(index, password)
        when = opens + timedelta(days=2 * k, hours=rng.randint(0, 6))
        first, *more = BUYERS[index][4]
        p = registration.register_buyer(session, profile, Presence(
            max_meetings=rng.choice([4, 5, 6, None])), _need(categories, first), acting=user,
            now=when)
        for need in more:
            registration.add_need(session, p, _need(categories, need), acting=user, now=when)
        dated(p, when)
        buyer_parts.append((p, user))
        wanted |= {categories[n[0]] for n in BUYERS[index][4]}

    supplier_parts = []
    for index in range(len(SUPPLIERS)):
        structure = directory.structure_by_siret(make_siret(57_500 + index))
        if structure is None or structure.status != StructureStatus.APPROVED:
            continue
        offered = [o.category_id for o in structure.offerings]
        if not set(offered) & wanted:
            continue
        contact = _contact(structure, staff, password)
        when = opens + timedelta(days=1 + index % 25, hours=rng.randint(0, 8))
        sp = registration.register_supplier(
            session, structure.organisation_id, Presence(max_meetings=rng.choice([None, 4])),
            offered, acting=contact, now=when)
        dated(sp, when)
        supplier_parts.append((sp, contact))

    # Wishes from both sides three weeks before; two buyers book a meeting themselves.
    wishes_at = opens + timedelta(days=20)
    for p, user in buyer_parts:
        shown, _me = catalogue(session, Filters(), acting=user)
        for e in ([e for e in shown if e.match] or shown)[:rng.randint(3, 5)]:
            meetings.mark_wish(session, p.id, e.participant.id, rng.choice([1, 2, 2, 3]),
                               acting=user, now=wishes_at)
    for sp, contact in supplier_parts[::3]:
        shown, _me = catalogue(session, Filters(suggested=True), acting=contact)
        for e in shown[:2]:
            meetings.mark_wish(session, sp.id, e.participant.id, rng.choice([1, 2, 3]),
                               acting=contact, now=wishes_at)
    for (p, user), slot in zip(buyer_parts[:2], (0, 1), strict=True):
        shown, _me = catalogue(session, Filters(suggested=True), acting=user)
        for e in shown[:1]:
            try:
                with db.session.begin_nested():  # a booking that does not fit leaves nothing
                    meetings.book_meeting(session, p.id, e.participant.id, slot, acting=user,
                                          now=wishes_at + timedelta(days=1))
            except DomainError:
                continue

    run = planning.run_scheduler(session, acting=staff, time_limit=5.0)
    planning.publish(session, run.id, acting=staff, now=eve + timedelta(minutes=30))
    db.session.flush()

    # The day: two suppliers did not come; the organisers mark every meeting as it starts.
    held_meetings, came = [], set()
    all_meetings = list_meetings(session)
    busy = sorted({m.b_id for m in all_meetings})
    absent = set(rng.sample(busy, min(2, len(busy) - 1)))
    for m in all_meetings:
        started = as_utc(session.slots[m.slot_index].starts_at) + timedelta(minutes=2)
        held = m.b_id not in absent and rng.random() > 0.04
        engine_day.mark(session, m.id, "held" if held else "missed", acting=staff,
                        now=started)
        if held:
            held_meetings.append(m)
            came |= {m.a_id, m.b_id}
    everyone = [p for p, _u in buyer_parts] + [sp for sp, _c in supplier_parts]
    for i, p in enumerate(x for x in everyone if x.id in came and x.registration_id):
        reg = db.session.get(Registration, p.registration_id)
        checkin.check_in(event, reg.badge_code, acting=staff,
                         now=at(day, 8, 30) + timedelta(minutes=i % 30))

    # Afterwards: each side says how its meetings went, some only after the reminder.
    # What came of the held meetings, in the shares above (the rest: no follow-up).
    users = {p.id: u for p, u in buyer_parts + supplier_parts}
    n = len(held_meetings)
    came_of = [kind for kind, share in PAST_FOLLOW_UPS for _ in range(n * share // 100)]
    came_of += [FollowUp.NONE] * (n - len(came_of))
    rng.shuffle(came_of)
    truths = {m.id: kind for m, kind in zip(held_meetings, came_of, strict=True)}
    reports, later = [], []
    for m in all_meetings:
        truth = truths.get(m.id)
        amount = ""
        if truth == FollowUp.CONTRACT or (truth == FollowUp.QUOTE and rng.random() < 0.7):
            amount = rng.choice(DEAL_AMOUNTS).value
        # The buyer answers more often than the supplier, but a supplier with a contract
        # always says so.
        for pid, share in ((m.a_id, 0.8), (m.b_id, 1 if truth == FollowUp.CONTRACT else .55)):
            if truth is None and (pid == m.b_id or rng.random() < 0.5):
                continue  # a missed meeting: only some buyers bother to say so
            if rng.random() >= share:
                continue
            data = outcomes.OutcomeData(was_held="oui" if truth else "non",
                                        follow_up=(truth or FollowUp.NONE).value,
                                        amount=amount)
            (reports if rng.random() < 0.6 else later).append((m, pid, data))
    for wave, (first, span) in ((reports, (1, 6)), (later, (9, 12))):
        for m, pid, data in wave:
            when = at(day + timedelta(days=first + rng.randrange(span)), rng.randint(8, 18))
            outcomes.report(session, pid, m.id, data, acting=users[pid], now=when)
        if wave is reports:  # a week after the session, the reminder went out once
            outcomes.remind(now=at(day + timedelta(days=8), 9))
    db.session.flush()
    deals = {m.id for m, _p, d in reports + later if d.follow_up == FollowUp.CONTRACT}
    done.append(f"ESSpresso passé : « {PAST_TITLE} », {len(buyer_parts)} acheteurs, "
                f"{len(supplier_parts)} fournisseurs, {len(held_meetings)} rendez-vous tenus "
                f"sur {len(all_meetings)}, {len(reports) + len(later)} bilans, {len(deals)} "
                f"contrats annoncés (page /esspresso/impact)")
    return done
