"""Badges: a short code per registration and its QR image. Pure: values in, bytes out."""

from __future__ import annotations

import io
import re
import secrets
from urllib.parse import urlsplit

import qrcode
from qrcode.constants import ERROR_CORRECT_M

# No 0/O, 1/I/L: a person can read the code aloud or type it when the camera fails.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
_CODE = re.compile(rf"^[{ALPHABET}]{{{CODE_LENGTH}}}$")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize(scanned: str) -> str | None:
    """A scanned badge URL, or a code typed by hand (spaces, dashes, lower case), to a code."""
    text = (scanned or "").strip()
    if "://" in text:
        text = urlsplit(text).path.rstrip("/").rsplit("/", 1)[-1]
    code = re.sub(r"[\s\-]", "", text).upper()
    return code if _CODE.match(code) else None


def display(code: str) -> str:
    """ABCD-EFGH: easier to read on a badge."""
    return f"{code[:4]}-{code[4:]}"


def qr_png(text: str, *, box_size: int = 10, border: int = 4) -> bytes:
    """The QR image of `text` (the badge URL); medium error correction survives a worn print."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=border)
    qr.add_data(text)
    qr.make(fit=True)
    buffer = io.BytesIO()
    qr.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()


# --- the role band printed on a badge ---------------------------------------------------------

#: Role keys in print order, with the band colour (RGB hex): each role has its own colour so
#: the door and the room see at a glance who is who.
ROLE_COLOURS = {
    "structure": "#1b7340",  # Structure ESS — green
    "company": "#1f4e9c",  # Entreprise — blue
    "public": "#6b2c91",  # Collectivité — purple
    "speaker": "#b3261e",  # Intervenant·e — red
    "organiser": "#b85c00",  # Organisation — orange
    "participant": "#4a4a4a",  # not said — grey
}
#: Roles staff may set by hand (the others are derived from the registration).
ROLES = tuple(ROLE_COLOURS)

_PUBLIC_BODY = re.compile(
    r"\b(mairie|ville|commune|communaut[ée]|m[ée]tropole|eurom[ée]tropole|d[ée]partement|"
    r"r[ée]gion|conseil (?:d[ée]partemental|r[ée]gional|municipal)|pr[ée]fecture|"
    r"collectivit[ée])\b",
    re.IGNORECASE)


def derive_role(organisation_kind: str, organisation_name: str, staff_role: str = "") -> str:
    """The badge's role: what staff set, else the organisation's kind (a buyer is a public body
    when its name says so, otherwise a company), else a plain participant."""
    if staff_role in ROLE_COLOURS:
        return staff_role
    if organisation_kind == "structure":
        return "structure"
    if organisation_kind == "buyer":
        return "public" if _PUBLIC_BODY.search(organisation_name or "") else "company"
    if organisation_name and _PUBLIC_BODY.search(organisation_name):
        return "public"
    return "participant"
