"""Logo checking: bytes in, bytes out. The file is decoded, never trusted by its name."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from flask_babel import format_decimal
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 2 * 1024 * 1024
#: Checked from the header, before decoding: a side of more than 2000 px is refused. A logo is
#: shown at most 800 px wide (MAX_SIDE); 2000 px leaves room for a sharp source while capping
#: a decode at 2000 x 2000 x 4 bytes = 16 MB (a 25 Mpx image took a worker from 141 to 445 MB,
#: and a few KB of PNG can claim it). The bound is exclusive: 2001 px is refused, 2000 passes.
MAX_INPUT_SIDE = 2000
MAX_SIDE = 800  # logos are shown small; re-encoding at this size keeps rows light
ALLOWED = {"PNG", "JPEG", "WEBP"}


class InvalidImage(ValueError):
    """`str(err)` is a message for people, in the page's language."""


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    content_type: str
    width: int
    height: int


def clean_logo(raw: bytes) -> CleanImage:
    """Refuse anything that is not a real PNG/JPEG/WebP; re-encode it without metadata."""
    if not raw:
        raise InvalidImage(_("Le fichier est vide."))
    if len(raw) > MAX_BYTES:
        raise InvalidImage(_("Le logo pèse %(size)s Mo : la taille maximale est de 2 Mo.",
                             size=format_decimal(len(raw) / 1024 / 1024, format="0.0")))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw)) as probe:
                fmt = probe.format
                if fmt not in ALLOWED:
                    raise InvalidImage(_not_an_image())
                if probe.width > MAX_INPUT_SIDE or probe.height > MAX_INPUT_SIDE:
                    raise InvalidImage(_too_big())
                probe.verify()
            with Image.open(io.BytesIO(raw)) as img:
                img.load()
                img = ImageOps.exif_transpose(img)
                return _reencode(img, fmt)
    except InvalidImage:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InvalidImage(_too_big()) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InvalidImage(_not_an_image()) from exc


def _too_big() -> str:
    return _("Cette image est trop grande (%(n)s pixels de côté au plus) : réduisez-la.",
             n=MAX_INPUT_SIDE)


def _not_an_image() -> str:
    return _("Ce fichier n'est pas une image PNG, JPEG ou WebP lisible. "
             "Enregistrez votre logo dans l'un de ces formats et réessayez.")


def _reencode(img: Image.Image, fmt: str) -> CleanImage:
    """Pixels only: Pillow writes back `info` (a JPEG comment, an ICC profile, XMP) unless it
    is emptied, so every image saved here starts with an empty `info` and no `exif=`."""
    img.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    if fmt == "JPEG":
        img = img.convert("RGB")
        img.info.clear()
        img.save(out, "JPEG", quality=85, optimize=True)
        content_type = "image/jpeg"
    else:
        # PNG and WebP keep transparency; saving without `exif=`/`pnginfo=` drops metadata.
        mode = "RGBA" if img.mode in ("RGBA", "LA", "P", "PA") else "RGB"
        img = img.convert(mode)
        img.info.clear()
        if fmt == "PNG":
            img.save(out, "PNG", optimize=True)
            content_type = "image/png"
        else:
            img.save(out, "WEBP", quality=85)
            content_type = "image/webp"
    return CleanImage(out.getvalue(), content_type, img.width, img.height)
