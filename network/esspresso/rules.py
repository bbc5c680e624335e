"""Labels and small rules shared by ESSpresso's jobs."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from network.esspresso.models import AmountBracket, BuyerType, Reservation, Timing

BUYER_TYPES = {
    BuyerType.COMPANY: _l("Entreprise"),
    BuyerType.COLLECTIVITE: _l("Commune ou collectivité"),
    BuyerType.EPCI: _l("Intercommunalité (EPCI)"),
    BuyerType.DEPARTEMENT: _l("Département ou Région"),
    BuyerType.HOSPITAL: _l("Hôpital, établissement de santé"),
    BuyerType.SOCIAL_LANDLORD: _l("Bailleur social"),
    BuyerType.STATE: _l("Service de l'État"),
    BuyerType.OTHER_PUBLIC: _l("Autre acheteur public"),
}

AMOUNTS = {
    AmountBracket.UNDER_40K: _l("Moins de 40 000 € HT"),
    AmountBracket.UNDER_90K: _l("40 000 à 90 000 € HT"),
    AmountBracket.UNDER_221K: _l("90 000 à 221 000 € HT"),
    AmountBracket.OVER_221K: _l("Plus de 221 000 € HT"),
    AmountBracket.UNKNOWN: _l("Pas encore estimé"),
}

TIMINGS = {
    Timing.NOW: _l("Dès maintenant"),
    Timing.SIX_MONTHS: _l("Dans les 6 mois"),
    Timing.YEAR: _l("Dans l'année"),
    Timing.LATER: _l("Plus tard"),
}

RESERVATIONS = {
    Reservation.NONE: _l("Marché ordinaire"),
    Reservation.SIAE: _l("Marché réservé aux SIAE (insertion)"),
    Reservation.EA_ESAT: _l("Marché réservé aux EA et ESAT (handicap)"),
}

PRIORITIES = {1: _l("Ce serait bien"), 2: _l("Important"), 3: _l("Essentiel")}

# Why a wished meeting was not scheduled: `explain.REASONS` keeps the scheduler free of Flask
# (its French labels serve the command line); pages translate the same codes here.
WISH_REASONS = {
    "no_common_slot": _l("Aucun créneau de disponibilité en commun"),
    "own_cap_reached": _l("Votre agenda est complet"),
    "other_side_full": _l("L'agenda de l'autre participant est complet"),
    "no_common_free_slot": _l("Vos créneaux encore libres ne coïncident pas"),
    "tables_full": _l("Toutes les tables sont occupées sur vos créneaux libres communs"),
    "not_scheduled": _l("Rendez-vous encore possible mais non planifié"),
}
