"""Logos are decoded, re-encoded and stripped; anything else gets a French message."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from network.directory.images import InvalidImage, clean_logo


def image_bytes(fmt: str, size=(64, 48), mode="RGB", **save) -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, (10, 90, 70) if mode == "RGB" else 1).save(buf, fmt, **save)
    return buf.getvalue()


@pytest.mark.parametrize(("fmt", "content_type"), [
    ("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")])
def test_real_images_are_reencoded(fmt, content_type):
    result = clean_logo(image_bytes(fmt))
    assert result.content_type == content_type
    assert (result.width, result.height) == (64, 48)
    with Image.open(io.BytesIO(result.data)) as again:
        assert again.format == fmt


def test_exif_metadata_is_stripped():
    exif = Image.Exif()
    exif[0x010F] = "Appareil secret"  # Make
    exif[0x8825] = {2: (48.0, 7.0, 0.0)}  # GPS
    raw = image_bytes("JPEG", exif=exif.tobytes())
    assert b"Appareil secret" in raw
    result = clean_logo(raw)
    assert b"Appareil secret" not in result.data
    with Image.open(io.BytesIO(result.data)) as again:
        assert not again.getexif()


def test_large_images_are_scaled_down(app):
    result = clean_logo(image_bytes("PNG", size=(2000, 1000)))
    assert (result.width, result.height) == (800, 400)


def test_jpeg_comment_exif_xmp_and_icc_do_not_survive(app):
    """The README promises logos without metadata: a COM segment, EXIF, XMP and an ICC
    profile (which can carry text) all go."""
    from PIL import ImageCms

    exif = Image.Exif()
    exif[0x010E] = "Description secrete EXIF"  # ImageDescription
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">XMP secret</x:xmpmeta>'
    raw = image_bytes("JPEG", comment=b"Commentaire secret COM", exif=exif.tobytes(),
                      icc_profile=icc, xmp=xmp)
    with Image.open(io.BytesIO(raw)) as before:  # the input really carries them
        assert before.info.get("comment") == b"Commentaire secret COM"
        assert before.getexif() and before.info.get("icc_profile")
    assert b"\xff\xfe" in raw and b"XMP secret" in raw
    result = clean_logo(raw)
    for secret in (b"Commentaire secret", b"Description secrete", b"XMP secret"):
        assert secret not in result.data
    with Image.open(io.BytesIO(result.data)) as after:
        assert "comment" not in after.info and "icc_profile" not in after.info
        assert "xmp" not in after.info and not after.getexif()
    assert b"\xff\xfe" not in result.data  # no COM marker at all


def test_png_text_and_icc_do_not_survive(app):
    from PIL import ImageCms, PngImagePlugin

    meta = PngImagePlugin.PngInfo()
    meta.add_text("Comment", "Texte secret PNG")
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    result = clean_logo(image_bytes("PNG", pnginfo=meta, icc_profile=icc))
    assert b"Texte secret PNG" not in result.data
    with Image.open(io.BytesIO(result.data)) as after:
        assert "icc_profile" not in after.info and "Comment" not in after.info


def test_side_limit_is_checked_before_decoding_and_exclusive(app):
    """2000 px passes, 2001 px is refused (from the header: no decode)."""
    assert clean_logo(image_bytes("PNG", size=(2000, 10), mode="1")).width == 800
    for size in ((2001, 10), (10, 2001), (5000, 5000)):
        with pytest.raises(InvalidImage, match="trop grande"):
            clean_logo(image_bytes("PNG", size=size, mode="1"))


@pytest.mark.parametrize("raw", [
    b"<!doctype html><html><body><script>alert(1)</script></body></html>",
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
    b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,  # a PNG signature and nothing valid after it
])
def test_non_images_are_refused(raw):
    with pytest.raises(InvalidImage, match="PNG, JPEG ou WebP"):
        clean_logo(raw)


def test_gif_is_refused_even_though_it_is_an_image():
    with pytest.raises(InvalidImage, match="PNG, JPEG ou WebP"):
        clean_logo(image_bytes("GIF"))


def test_truncated_png_is_refused():
    raw = image_bytes("PNG", size=(300, 300))
    with pytest.raises(InvalidImage):
        clean_logo(raw[: len(raw) // 2])


def test_too_heavy_and_empty():
    with pytest.raises(InvalidImage, match="2 Mo"):
        clean_logo(b"\x89PNG" + b"0" * (2 * 1024 * 1024 + 1))
    with pytest.raises(InvalidImage, match="vide"):
        clean_logo(b"")


def test_decompression_bomb_is_refused(app):
    # 10000 x 10000 pixels of one colour compress to a few kilobytes.
    raw = image_bytes("PNG", size=(10_000, 10_000), mode="1")
    assert len(raw) < 2 * 1024 * 1024
    with pytest.raises(InvalidImage, match="trop grande"):
        clean_logo(raw)
