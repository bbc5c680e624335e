"""Password policy: a minimum length and a refusal of guessable passwords (zxcvbn lists)."""

from __future__ import annotations

from flask_babel import gettext as _
from zxcvbn import zxcvbn

# Words zxcvbn's English lists miss but that people here would pick first.
LOCAL_WORDS = [
    "azerty", "azertyuiop", "motdepasse", "bonjour", "soleil", "moselle", "metz",
    "thionville", "forbach", "sarreguemines", "sarrebourg", "lorraine", "grandest",
    "reseau", "association", "ess", "cress", "departement", "mirabelle",
]


def password_problem(password: str, *, min_length: int, user_inputs: list[str]) -> str | None:
    """A French sentence saying what is wrong with the password, or None."""
    if len(password) < min_length:
        return _("Le mot de passe doit contenir au moins %(n)s caractères.", n=min_length)
    if len(password) > 256:
        return _("Le mot de passe ne peut pas dépasser 256 caractères.")
    words = [w for w in user_inputs if w] + LOCAL_WORDS
    result = zxcvbn(password[:100], user_inputs=words)
    if result["score"] < 3:
        return _("Ce mot de passe est trop facile à deviner (mot courant, suite de touches "
                 "ou votre nom). Choisissez une phrase de plusieurs mots.")
    return None
