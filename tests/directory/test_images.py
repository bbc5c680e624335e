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


def test_large_images_are_scaled_down():
    result = clean_logo(image_bytes("PNG", size=(2000, 1000)))
    assert (result.width, result.height) == (800, 400)


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


def test_decompression_bomb_is_refused():
    # 10000 x 10000 pixels of one colour compress to a few kilobytes.
    raw = image_bytes("PNG", size=(10_000, 10_000), mode="1")
    assert len(raw) < 2 * 1024 * 1024
    with pytest.raises(InvalidImage, match="trop grande"):
        clean_logo(raw)
