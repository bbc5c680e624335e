"""Demo data: a few dozen invented structures across the five territories (idempotent)."""

from __future__ import annotations

import random

from stdnum import luhn

from network.directory import profiles, reference
from network.directory.fields import StructureData
from network.directory.models import LegalForm

# Invented SIRETs that pass the Luhn check (SIREN prefix 9 never matches a real La Poste one).
SIRET_PREFIX = "9"


def make_siret(seed: int) -> str:
    """A valid, invented SIRET for seed n (< 10^11): both SIREN and SIRET pass the Luhn check."""
    siren = SIRET_PREFIX + f"{seed // 10_000:07d}"
    siren += luhn.calc_check_digit(siren)
    body = siren + f"{seed % 10_000:04d}"
    return body + luhn.calc_check_digit(body)


COMMUNES = {
    "metz": [("57000", "Metz"), ("57050", "Le Ban-Saint-Martin"),
             ("57070", "Saint-Julien-lès-Metz"), ("57140", "Woippy"),
             ("57160", "Moulins-lès-Metz"), ("57130", "Ars-sur-Moselle")],
    "thionville": [("57100", "Thionville"), ("57290", "Fameck"), ("57700", "Hayange"),
                   ("57190", "Florange"), ("57970", "Yutz")],
    "forbach-boulay": [("57600", "Forbach"), ("57220", "Boulay-Moselle"),
                       ("57800", "Freyming-Merlebach"), ("57500", "Saint-Avold"),
                       ("57150", "Creutzwald")],
    "sarreguemines-bitche": [("57200", "Sarreguemines"), ("57230", "Bitche"),
                             ("57410", "Rohrbach-lès-Bitche"), ("57510", "Puttelange-aux-Lacs")],
    "sarrebourg-chateau-salins": [("57400", "Sarrebourg"), ("57170", "Château-Salins"),
                                  ("57260", "Dieuze"), ("57810", "Moussey")],
}

# Where the structures whose name says a place really are (territory, postcode, commune);
# the others are spread over the territories, each in one of its real communes.
PLACES = {
    "Les Jardins de la Seille": ("metz", "57000", "Metz"),
    "Régie de quartier Borny Services": ("metz", "57070", "Metz"),
    "Emmaüs Lorraine Nord": ("thionville", "57100", "Thionville"),
    "ESAT du Val de Fensch": ("thionville", "57700", "Hayange"),
    "Intérim Solidaire Moselle-Est": ("forbach-boulay", "57600", "Forbach"),
    "Théâtre du Saulcy en Scène": ("metz", "57000", "Metz"),
    "Club Omnisports de la Nied": ("forbach-boulay", "57220", "Boulay-Moselle"),
    "Gîtes Solidaires du Pays de Bitche": ("sarreguemines-bitche", "57230", "Bitche"),
    "Mutuelle Familiale de la Sarre": ("sarreguemines-bitche", "57200", "Sarreguemines"),
    "Énergies Citoyennes du Saulnois": ("sarrebourg-chateau-salins", "57170", "Château-Salins"),
    "Amap du Pays Messin": ("metz", "57050", "Le Ban-Saint-Martin"),
    "Maison des Jeunes et de la Culture de Yutz": ("thionville", "57970", "Yutz"),
    "Repair Café Sarrebourg": ("sarrebourg-chateau-salins", "57400", "Sarrebourg"),
    "Espaces Verts Solidaires du Warndt": ("forbach-boulay", "57150", "Creutzwald"),
    "Transport Solidaire du Bitcherland": ("sarreguemines-bitche", "57410",
                                           "Rohrbach-lès-Bitche"),
    "Scop Nettoyage Thionvillois": ("thionville", "57100", "Thionville"),
    "Épicerie Sociale Les Paniers de Forbach": ("forbach-boulay", "57600", "Forbach"),
    "Accueil Handicap Sarreguemines": ("sarreguemines-bitche", "57200", "Sarreguemines"),
    "Ressourcerie du Pays de Château-Salins": ("sarrebourg-chateau-salins", "57170",
                                               "Château-Salins"),
}


def _place(index: int, name: str, rng: random.Random) -> tuple[str, str, str]:
    if name in PLACES:
        return PLACES[name]
    territory = list(COMMUNES)[index % len(COMMUNES)]
    return (territory, *rng.choice(COMMUNES[territory]))


def _contact(index: int, name: str, password_hash: str):
    """Each demo structure has its own (verified) contact account: staff own none of them."""
    from network.accounts.models import User
    from network.core.time import utcnow
    from network.extensions import db

    email = f"contact-structure-{index}@example.org"
    user = db.session.scalar(db.select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name=f"Contact {name}"[:120], password_hash=password_hash,
                    email_verified_at=utcnow())
        db.session.add(user)
        db.session.flush()
    return user


# (name, legal form, coop status, buyer kind, sectors, categories, labels, description)
STRUCTURES = [
    ("Les Jardins de la Seille", "association-insertion", "none", "aci",
     ["maraichage", "insertion"], ["espaces-verts", "traiteur"], ["siae-conventionnee"],
     "Chantier d'insertion en **maraîchage biologique** : paniers de légumes, entretien "
     "d'espaces verts, conserverie solidaire."),
    ("Régie de quartier Borny Services", "association-insertion", "none", "ei",
     ["insertion", "logement"], ["proprete", "espaces-verts"], ["siae-conventionnee"],
     "Entreprise d'insertion : **propreté des parties communes**, petits travaux, "
     "médiation de proximité."),
    ("Emmaüs Lorraine Nord", "association-rup", "none", "aci",
     ["reemploi-recyclage", "aide-alimentaire"], ["reemploi", "logistique"], ["rup"],
     "Collecte, tri et **réemploi** d'objets ; boutique solidaire ouverte à tous."),
    ("Scop Imprimerie du Haut-Chemin", "scop-sarl", "scop", "none", ["economie-emploi"],
     ["impression", "communication"], ["esus"],
     "Imprimerie coopérative : papier recyclé, encres végétales, **impression numérique et "
     "offset**."),
    ("Coopérative Bâti-Sud Lorraine", "coop-sas", "scic", "none", ["energie"],
     ["batiment"], ["esus"],
     "SCIC de **rénovation énergétique** associant artisans, habitants et collectivités."),
    ("Informatique Solidaire Mosellane", "association", "none", "ei",
     ["reemploi-recyclage", "insertion"], ["informatique-reconditionnee", "reemploi"],
     ["siae-conventionnee", "esus"],
     "Reconditionnement d'**ordinateurs** professionnels, garantie un an, effacement certifié "
     "des données."),
    ("ESAT du Val de Fensch", "association-droit-local", "none", "esat", ["handicap"],
     ["blanchisserie", "espaces-verts", "traiteur"], [],
     "Établissement d'accompagnement par le travail : **blanchisserie**, restauration, "
     "espaces verts."),
    ("Entreprise adaptée Les Ateliers Mosellans", "sas-esus", "none", "ea", ["handicap"],
     ["logistique", "impression"], ["esus"],
     "Entreprise adaptée : **conditionnement**, logistique, numérisation de documents."),
    ("Intérim Solidaire Moselle-Est", "association", "none", "etti", ["insertion"],
     ["mise-a-disposition", "logistique"], ["siae-conventionnee"],
     "Entreprise de travail temporaire d'insertion : missions dans le **BTP**, la logistique "
     "et l'industrie."),
    ("Association Intermédiaire Coup de Main", "association-intermediaire", "none", "ai",
     ["insertion", "personnes-agees"], ["mise-a-disposition", "proprete"],
     ["siae-conventionnee"],
     "Mise à disposition de personnel auprès des particuliers, associations et collectivités."),
    ("Théâtre du Saulcy en Scène", "association-droit-local", "none", "none",
     ["spectacle-vivant", "education-populaire"], ["evenementiel"], [],
     "Compagnie de théâtre : **spectacles**, ateliers d'écriture, résidences en milieu rural."),
    ("Club Omnisports de la Nied", "association-droit-local", "none", "none",
     ["sport-loisir", "sport-competition"], [], ["sport"],
     "Club de **sport pour tous** : football, gymnastique douce, sport sur ordonnance."),
    ("Gîtes Solidaires du Pays de Bitche", "association-droit-local", "none", "none",
     ["tourisme-social", "hebergement-touristique"], ["evenementiel"], [],
     "**Tourisme social** : gîtes de groupe accessibles, classes vertes, séjours adaptés."),
    ("Fondation Pour l'Économie de Proximité", "fondation", "none", "none",
     ["finance-solidaire", "entrepreneuriat"], [], ["finansol"],
     "Fondation abritante qui soutient les **projets d'économie sociale** en Moselle-Est."),
    ("Mutuelle Familiale de la Sarre", "mutuelle", "none", "none", ["soins", "prevention"],
     [], [], "Mutuelle santé de proximité, actions de **prévention** en entreprise."),
    ("CAE Entreprendre Ensemble Moselle", "coop-sarl", "cae", "none",
     ["entrepreneuriat"], ["communication", "evenementiel"], ["esus"],
     "Coopérative d'activité et d'emploi : **entrepreneurs-salariés** en graphisme, "
     "conseil, artisanat."),
    ("La Fabrique à Vélos", "association", "none", "aci", ["mobilite", "reemploi-recyclage"],
     ["reemploi", "transport"], ["siae-conventionnee"],
     "Atelier vélo d'insertion : réparation, **vélos reconditionnés**, flotte pour "
     "entreprises."),
    ("Les Toques Solidaires", "association-insertion", "none", "aci",
     ["insertion", "circuits-courts"], ["traiteur", "evenementiel"],
     ["siae-conventionnee", "qualiopi"],
     "Chantier d'insertion **traiteur** : buffets, plateaux-repas, produits locaux et de "
     "saison."),
    ("Couture et Compagnie", "association", "none", "aci", ["insertion"],
     ["textile", "reemploi"], ["siae-conventionnee"],
     "Atelier de **couture** solidaire : retouches, tenues professionnelles, objets en tissu "
     "recyclé."),
    ("Énergies Citoyennes du Saulnois", "coop-sas", "scic", "none", ["energie",
                                                                     "biodiversite"],
     [], ["esus"], "Production d'**énergie renouvelable** citoyenne : toitures solaires "
     "partagées."),
    ("Amap du Pays Messin", "association", "none", "none", ["circuits-courts"], [], [],
     "Association pour le maintien d'une **agriculture paysanne** : paniers hebdomadaires."),
    ("Maison des Jeunes et de la Culture de Yutz", "association-droit-local", "none", "none",
     ["education-populaire", "lecture"], ["evenementiel"], ["jeunesse-education-populaire"],
     "MJC : **accueil de loisirs**, ateliers culturels, accompagnement à la scolarité."),
    ("Repair Café Sarrebourg", "association-droit-local", "none", "none",
     ["reemploi-recyclage"], ["reemploi"], [], "Ateliers mensuels de **réparation** "
     "d'objets avec des bénévoles."),
    ("Espaces Verts Solidaires du Warndt", "association-insertion", "none", "ei",
     ["insertion", "biodiversite"], ["espaces-verts"], ["siae-conventionnee", "lucie"],
     "Entreprise d'insertion : **entretien d'espaces verts**, gestion différenciée, "
     "éco-pâturage."),
    ("Transport Solidaire du Bitcherland", "association-droit-local", "none", "none",
     ["mobilite", "personnes-agees"], ["transport"], [],
     "**Transport à la demande** pour personnes âgées et personnes sans véhicule."),
    ("Scop Nettoyage Thionvillois", "scop-sa-ca", "scop", "none", ["economie-emploi"],
     ["proprete"], ["esus"], "Coopérative de **nettoyage** de bureaux et de vitrerie, "
     "produits écolabellisés."),
    ("Épicerie Sociale Les Paniers de Forbach", "association-droit-local", "none", "none",
     ["aide-alimentaire", "enfance-famille"], [], [],
     "**Épicerie sociale** et ateliers cuisine pour les familles."),
    ("Accueil Handicap Sarreguemines", "association-rup", "none", "esat", ["handicap"],
     ["traiteur", "blanchisserie", "impression"], ["rup"],
     "ESAT : **restauration collective**, blanchisserie, reprographie."),
    ("Ressourcerie du Pays de Château-Salins", "association-insertion", "none", "aci",
     ["reemploi-recyclage", "insertion"], ["reemploi", "logistique"],
     ["siae-conventionnee"], "**Ressourcerie** : collecte, valorisation et vente d'objets "
     "de seconde main."),
    ("Cinéma Associatif Le Rio", "association-droit-local", "none", "none",
     ["spectacle-vivant", "education-populaire"], ["evenementiel"], [],
     "Cinéma de proximité : **ciné-débats**, éducation à l'image, festival jeune public."),
    ("Habitat et Humanisme Moselle", "association-rup", "none", "none", ["logement"], [],
     ["rup"], "**Logement** accompagné et pensions de famille."),
    ("Web Solidaire Lorraine", "sarl-esus", "none", "eiti", ["entrepreneuriat", "insertion"],
     ["communication", "informatique-reconditionnee"], ["esus"],
     "Insertion par le travail indépendant : **création de sites web** et maintenance "
     "informatique."),
]


def load(*, staff, member) -> list[str]:
    """Reference lists, then the demo structures (by SIRET: running twice adds nothing)."""
    done = reference.ensure_reference_data()
    if done:
        done = [f"annuaire : {len(done)} éléments de référence"]
    from flask import current_app
    from werkzeug.security import generate_password_hash

    rng = random.Random(57)
    # One hash for every contact account: the demo loads in seconds, not in minutes.
    shared_hash = generate_password_hash("demo-Moselle-ESS-2026",
                                         method=current_app.config["PASSWORD_HASH_METHOD"])
    added = 0
    for index, (name, form, coop, kind, sectors, categories, labels, text) in enumerate(
            STRUCTURES):
        siret = make_siret(57_000 + index)
        if profiles.structure_by_siret(siret) is not None:
            continue
        territory, postcode, commune = _place(index, name, rng)
        form_enum = LegalForm(form)
        data = StructureData(
            name=name, siret=siret, legal_form=form, coop_status=coop, buyer_kind=kind,
            rna=f"W57{rng.randint(2, 9)}{index:06d}" if form in (
                "association", "association-insertion", "association-intermediaire",
                "association-rup") else "",
            local_register_number=f"TJ Metz, Vol. {40 + index} Folio {100 + index}"
            if form_enum == LegalForm.ASSOCIATION_DROIT_LOCAL else "",
            address=f"{rng.randint(1, 90)} rue {rng.choice(['de la Gare', 'des Jardins', 'du Moulin', 'Saint-Pierre', 'de la Paix'])}",  # noqa: E501
            postcode=postcode, commune=commune, territory=territory,
            area_served=rng.choice(["territoire", "departement", "intercommunalite"]),
            sectors=sectors, offerings=[(c, "prestation", "departement") for c in categories],
            labels=[(code, None, None) for code in labels],
            description=text + "\n\nStructure fictive créée pour la démonstration.",
            website=f"https://www.exemple-{index}.org",
            public_email=f"contact{index}@exemple.org", public_phone="03 87 00 00 00",
            show_contact=index % 3 != 0, employees_count=rng.randint(2, 80),
            volunteers_count=rng.randint(0, 40),
        )
        owner = member if index == 0 else _contact(index, name, shared_hash)
        structure = profiles.create_structure(data, acting=owner)
        if index != len(STRUCTURES) - 1:  # the last one waits in the staff queue
            profiles.approve_structure(structure, acting=staff)
        added += 1
    if added:
        done.append(f"annuaire : {added} structures")
    return done
