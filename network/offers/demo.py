"""Demo offers: about forty jobs and volunteer missions from the demo structures (idempotent)."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import func, select

from network.core.auth import Guest
from network.core.time import utcnow
from network.directory.models import Structure, StructureStatus
from network.extensions import db
from network.offers import answers, offers
from network.offers.models import AnswerStatus, Offer

# (structure name, kind, title, time, skills, accessibility, description)
OFFERS = [
    ("Les Jardins de la Seille", "cddi", "Ouvrier·ère maraîcher·ère en insertion",
     "26 h par semaine", "maraîchage, travail en équipe", ["sans-diplome", "accompagnement"],
     "Vous participez à toutes les étapes du **maraîchage biologique** : semis, plantation, "
     "récolte, préparation des paniers.\n\n- accompagnement socio-professionnel\n"
     "- formation au poste\n- éligibilité IAE requise (orientation France Travail)"),
    ("Les Jardins de la Seille", "cdi", "Encadrant·e technique maraîchage",
     "35 h par semaine", "maraîchage biologique, encadrement, pédagogie", ["rqth"],
     "Vous encadrez une équipe de 12 salarié·es en parcours d'insertion et organisez la "
     "production de légumes bio sur 4 hectares."),
    ("Les Jardins de la Seille", "benevolat", "Bénévole pour la distribution des paniers",
     "2 h le jeudi soir", "accueil, convivialité", ["sans-diplome", "transports"],
     "Accueillez les adhérent·es lors de la **distribution hebdomadaire** des paniers et "
     "présentez les légumes de saison."),
    ("Régie de quartier Borny Services", "cddi", "Agent·e de propreté urbaine",
     "24 h par semaine", "propreté, ponctualité", ["sans-diplome", "accompagnement"],
     "Entretien des **parties communes** et des espaces extérieurs du quartier de Borny."),
    ("Régie de quartier Borny Services", "service-civique", "Médiation de proximité et lien "
     "social", "24 h par semaine, 8 mois", "écoute, médiation", ["transports"],
     "Allez à la rencontre des habitant·es, relayez les projets du quartier et animez des "
     "temps conviviaux en pied d'immeuble."),
    ("Emmaüs Lorraine Nord", "benevolat", "Bénévole au tri et à la boutique solidaire",
     "Une demi-journée par semaine", "tri, vente, accueil", ["sans-diplome", "horaires-adaptes"],
     "Rejoignez l'équipe de la **boutique solidaire** : tri des dons, mise en rayon, accueil "
     "des client·es."),
    ("Emmaüs Lorraine Nord", "cdd", "Chauffeur·se collecte et livraison (permis B)",
     "35 h par semaine, 6 mois", "permis B, manutention", [],
     "Collecte des dons chez les particuliers et livraisons de meubles dans le Pays Haut."),
    ("Scop Imprimerie du Haut-Chemin", "apprentissage", "Apprenti·e conducteur·rice "
     "d'impression offset", "Alternance 2 ans", "impression, rigueur", ["accompagnement"],
     "Préparez un **CAP ou bac pro** en alternance dans une imprimerie coopérative : réglage "
     "des presses, contrôle qualité, papiers recyclés."),
    ("Scop Imprimerie du Haut-Chemin", "cdi", "Infographiste PAO (futur·e associé·e)",
     "35 h par semaine", "InDesign, prépresse, typographie", ["rqth", "horaires-adaptes"],
     "Rejoignez une **SCOP** où chaque salarié·e peut devenir associé·e : mise en page, "
     "préparation des fichiers, conseil aux client·es."),
    ("Coopérative Bâti-Sud Lorraine", "professionnalisation", "Contrat de "
     "professionnalisation : technicien·ne en rénovation énergétique", "12 mois",
     "thermique du bâtiment, diagnostic", ["accompagnement"],
     "Audits énergétiques, suivi de chantiers de **rénovation** et accompagnement des "
     "ménages."),
    ("Informatique Solidaire Mosellane", "cddi", "Technicien·ne reconditionnement "
     "informatique", "26 h par semaine", "informatique, minutie", ["sans-diplome", "rqth"],
     "Diagnostic, **effacement certifié** des données, réinstallation et tests des "
     "ordinateurs collectés."),
    ("Informatique Solidaire Mosellane", "benevolat", "Bénévole médiation numérique",
     "2 h par semaine", "pédagogie, informatique", ["locaux-accessibles", "transports"],
     "Aidez des personnes éloignées du numérique à prendre en main un **ordinateur "
     "reconditionné** : courriel, démarches en ligne."),
    ("ESAT du Val de Fensch", "stage", "Stage assistant·e ressources humaines",
     "2 mois, 35 h par semaine", "RH, bureautique", ["locaux-accessibles", "rqth"],
     "Participez au suivi des parcours des travailleur·ses, au plan de formation et aux "
     "recrutements."),
    ("ESAT du Val de Fensch", "cdi", "Moniteur·rice d'atelier blanchisserie",
     "35 h par semaine", "blanchisserie, accompagnement, handicap", ["rqth"],
     "Encadrez une équipe de travailleur·ses en situation de **handicap** à la "
     "blanchisserie."),
    ("Entreprise adaptée Les Ateliers Mosellans", "cdd", "Opérateur·rice logistique",
     "35 h par semaine, 6 mois", "préparation de commandes, cariste", ["rqth",
                                                                      "locaux-accessibles"],
     "Préparation de commandes et **conditionnement** dans une entreprise adaptée "
     "(RQTH requise)."),
    ("Intérim Solidaire Moselle-Est", "cddi", "Manœuvre BTP en mission d'insertion",
     "Missions de 1 à 4 semaines", "BTP, sécurité", ["sans-diplome", "accompagnement"],
     "Missions chez nos client·es du **bâtiment** avec un suivi socio-professionnel "
     "personnalisé."),
    ("Association Intermédiaire Coup de Main", "cddi", "Aide ménager·ère chez les "
     "particuliers", "Temps partiel choisi", "entretien, discrétion", ["sans-diplome",
                                                                     "horaires-adaptes"],
     "Interventions au domicile de particuliers et d'associations du secteur de Sarrebourg."),
    ("Théâtre du Saulcy en Scène", "volontariat", "Volontariat européen : médiation "
     "culturelle", "30 h par semaine, 10 mois", "théâtre, animation, langues",
     ["accompagnement"],
     "Corps européen de solidarité : animation d'ateliers théâtre dans les villages et "
     "accueil des publics."),
    ("Théâtre du Saulcy en Scène", "benevolat", "Bénévole accueil des spectacles",
     "Soirs de représentation", "accueil, billetterie", ["transports", "sans-diplome"],
     "Accueil du public, billetterie et bar des **spectacles** (un à deux soirs par mois)."),
    ("Club Omnisports de la Nied", "service-civique", "Sport et santé pour tous",
     "24 h par semaine, 8 mois", "sport, animation", ["horaires-adaptes"],
     "Aidez à développer le **sport sur ordonnance** et la gymnastique douce pour les "
     "seniors."),
    ("Club Omnisports de la Nied", "benevolat", "Entraîneur·e bénévole football U11",
     "Mercredi après-midi", "football, encadrement d'enfants", [],
     "Encadrez les entraînements et les plateaux du samedi des **U11**."),
    ("Gîtes Solidaires du Pays de Bitche", "cdd", "Agent·e d'accueil et d'entretien "
     "saisonnier", "35 h par semaine, saison d'été", "accueil, entretien", ["sans-diplome"],
     "Accueil des groupes, états des lieux et entretien des **gîtes** accessibles."),
    ("Mutuelle Familiale de la Sarre", "stage", "Stage chargé·e de prévention santé",
     "4 mois", "santé publique, animation", ["locaux-accessibles"],
     "Préparez et animez des actions de **prévention** en entreprise et en milieu scolaire."),
    ("CAE Entreprendre Ensemble Moselle", "cdi", "Chargé·e d'accompagnement "
     "entrepreneurial", "28 h par semaine", "création d'entreprise, gestion", ["rqth",
                                                                              "horaires-adaptes"],
     "Accompagnez les **entrepreneur·es-salarié·es** de la coopérative de la première idée "
     "au sociétariat."),
    ("La Fabrique à Vélos", "cddi", "Mécanicien·ne cycles en insertion",
     "26 h par semaine", "mécanique vélo", ["sans-diplome", "accompagnement"],
     "Réparation et **reconditionnement de vélos**, entretien de flottes d'entreprise."),
    ("La Fabrique à Vélos", "benevolat", "Bénévole atelier vélo participatif",
     "Samedi matin", "bricolage, pédagogie", ["transports", "sans-diplome"],
     "Aidez les adhérent·es à **réparer eux-mêmes** leur vélo à l'atelier participatif."),
    ("Les Toques Solidaires", "cddi", "Commis de cuisine en insertion",
     "26 h par semaine", "cuisine, hygiène", ["sans-diplome", "accompagnement"],
     "Préparation des buffets et **plateaux-repas** à partir de produits locaux."),
    ("Les Toques Solidaires", "apprentissage", "Apprenti·e cuisinier·ère (CAP)",
     "Alternance 2 ans", "cuisine", ["accompagnement"],
     "Préparez votre **CAP cuisine** au sein d'un traiteur solidaire."),
    ("Couture et Compagnie", "cddi", "Couturier·ère retouches en insertion",
     "24 h par semaine", "couture, machine à coudre", ["sans-diplome"],
     "Retouches, confection de **tenues professionnelles** et d'objets en tissu recyclé."),
    ("Énergies Citoyennes du Saulnois", "benevolat", "Bénévole animation citoyenne énergie",
     "Quelques heures par mois", "énergie, animation", [],
     "Présentez les projets de **toitures solaires partagées** lors des réunions publiques."),
    ("Amap du Pays Messin", "benevolat", "Bénévole coordination des distributions",
     "2 h par semaine", "organisation", ["transports"],
     "Organisez le planning des distributions et faites le lien avec les **paysan·nes**."),
    ("Maison des Jeunes et de la Culture de Yutz", "service-civique", "Accompagnement à la "
     "scolarité", "24 h par semaine, 7 mois", "pédagogie, patience", ["transports"],
     "Aidez des collégien·nes dans leurs **devoirs** et animez des ateliers culturels."),
    ("Maison des Jeunes et de la Culture de Yutz", "cdd", "Animateur·rice accueil de loisirs "
     "(BAFA)", "Vacances d'hiver", "BAFA, animation", [],
     "Encadrez un groupe de 8-11 ans pendant l'**accueil de loisirs** des vacances."),
    ("Repair Café Sarrebourg", "benevolat", "Bénévole réparateur·rice petit électroménager",
     "Un samedi par mois", "électricité, électronique", [],
     "Diagnostiquez et **réparez** avec les visiteur·ses leurs objets en panne."),
    ("Espaces Verts Solidaires du Warndt", "cddi", "Agent·e d'entretien des espaces verts",
     "26 h par semaine", "espaces verts, débroussailleuse", ["sans-diplome", "accompagnement"],
     "Tonte, taille, **gestion différenciée** et éco-pâturage sur les sites des collectivités."),
    ("Transport Solidaire du Bitcherland", "benevolat", "Chauffeur·se bénévole transport "
     "solidaire", "Selon vos disponibilités", "permis B, ponctualité", ["horaires-adaptes"],
     "Accompagnez des **personnes âgées** à leurs rendez-vous médicaux avec votre véhicule "
     "(frais remboursés)."),
    ("Scop Nettoyage Thionvillois", "cdi", "Agent·e de nettoyage de bureaux",
     "25 h par semaine", "nettoyage, autonomie", ["sans-diplome"],
     "Entretien de bureaux en horaires décalés dans une **coopérative** engagée "
     "(produits écolabellisés)."),
    ("Épicerie Sociale Les Paniers de Forbach", "benevolat", "Bénévole atelier cuisine",
     "Mardi matin", "cuisine, animation", ["locaux-accessibles"],
     "Animez des **ateliers cuisine** anti-gaspillage avec les familles bénéficiaires."),
    ("Accueil Handicap Sarreguemines", "stage", "Stage éducateur·rice technique spécialisé·e",
     "3 mois", "accompagnement, handicap", ["locaux-accessibles"],
     "Découvrez l'accompagnement des travailleur·ses en **ESAT** : restauration, "
     "reprographie."),
    ("Ressourcerie du Pays de Château-Salins", "cddi", "Valoriste en ressourcerie",
     "26 h par semaine", "tri, réparation, vente", ["sans-diplome", "accompagnement"],
     "Tri, **valorisation** et vente d'objets de seconde main à la ressourcerie."),
    ("Cinéma Associatif Le Rio", "volontariat", "Volontariat : éducation à l'image",
     "28 h par semaine, 9 mois", "cinéma, animation jeunesse", [],
     "Préparez le **festival jeune public** et animez des ciné-débats dans les écoles."),
    ("Habitat et Humanisme Moselle", "benevolat", "Bénévole accompagnement des locataires",
     "2 h par semaine", "écoute, accompagnement", ["horaires-adaptes"],
     "Accompagnez une famille dans son nouveau **logement** : démarches, voisinage, budget."),
]

GUESTS = [("Léa Martin", "lea.martin@example.net"), ("Karim Benali", "karim.benali@example.net"),
          ("Sophie Weber", "sophie.weber@example.net"), ("Jonas Muller",
                                                         "jonas.muller@example.net")]


def load(*, staff, member) -> list[str]:
    done = _load_offers(staff=staff, member=member)
    from network.offers import forum_demo

    return done + forum_demo.load(staff=staff, member=member)


def _load_offers(*, staff, member) -> list[str]:
    if db.session.scalar(select(func.count(Offer.id))):
        return []
    by_name = {s.name: s for s in db.session.scalars(select(Structure).where(
        Structure.status == StructureStatus.APPROVED))}
    rng = random.Random(5714)
    now = utcnow()
    created = []
    for index, (name, kind, title, time, skills, access, text) in enumerate(OFFERS):
        structure = by_name.get(name)
        if structure is None:
            continue
        data = offers.OfferData(
            kind=kind, title=title, commune=structure.commune, postcode=structure.postcode,
            territory=structure.territory.code if structure.territory else "",
            closes_on=(now + timedelta(days=rng.randint(10, 90))).date(),
            description=text + "\n\nOffre fictive créée pour la démonstration.",
            starts_on=None if index % 3 == 0 else (now + timedelta(days=rng.randint(15, 120)))
            .date(), time_commitment=time, places=rng.choice([1, 1, 1, 2, 3, 5]),
            work_mode="mixte" if "Chargé·e d'accompagnement" in title else "sur-place",
            accessibility=access, skills=skills)
        offer = offers.create_offer(structure, data, acting=staff,
                                    now=now - timedelta(days=rng.randint(1, 20)))
        if index % 13 != 12:  # a few drafts stay for the teams
            offers.publish_offer(offer, acting=staff,
                                 now=now - timedelta(days=rng.randint(0, 15)))
        created.append(offer)
    published = [o for o in created if o.published_at is not None]
    answered = 0
    for n, offer in enumerate(published[:12]):
        guest_name, guest_email = GUESTS[n % len(GUESTS)]
        data = answers.AnswerData(name=guest_name, email=guest_email,
                                  message="Bonjour, votre offre m'intéresse beaucoup : je suis "
                                          "disponible rapidement et j'habite à proximité.")
        answer = answers.answer_offer(offer, data, acting=None, now=now - timedelta(days=10))
        answers.confirm_answer(acting=Guest(email=answer.email, scope=f"answer:{answer.id}"),
                               now=now - timedelta(days=10 - n % 3))
        if n % 4 != 3:
            status = [AnswerStatus.CONTACTED, AnswerStatus.RETAINED,
                      AnswerStatus.NOT_RETAINED][n % 3]
            answers.set_answer_status(
                answer, status.value, acting=staff, now=now - timedelta(days=8 - n % 5),
                reason="Le poste a été pourvu par une personne déjà en parcours chez nous."
                if status == AnswerStatus.NOT_RETAINED else "")
        answered += 1
    for offer in published[12:14]:
        answers.answer_offer(offer, answers.AnswerData(
            message="Bonjour, je souhaite m'engager auprès de votre structure ; je suis "
                    "disponible en semaine."), acting=member, now=now - timedelta(days=2))
        answered += 1
    return [f"offres : {len(created)} offres, {answered} réponses"]
