"""Identifiers and descriptions: pure checks, French messages."""

from __future__ import annotations

import pytest

from network.core.errors import ValidationError
from network.core.text import check_markdown, render_markdown
from network.directory import validators
from network.directory.demo import make_siret
from network.directory.validators import InvalidIdentifier


def test_siret_valid_with_spaces_and_siren_derived():
    assert validators.normalize_siret("732 829 320 00074") == "73282932000074"
    assert validators.siren_of("73282932000074") == "732829320"


def test_siret_la_poste_exception_is_accepted():
    # La Poste's establishments (SIREN 356000000) fail Luhn: their digits sum to a multiple of 5.
    assert validators.normalize_siret("35600000000048") == "35600000000048"
    assert validators.normalize_siret("35600000049837") == "35600000049837"


@pytest.mark.parametrize(("value", "words"), [
    ("", "Indiquez"),
    ("7328293200007", "14 chiffres"),
    ("7328293200007A", "14 chiffres"),
    ("73282932000075", "clé de contrôle"),
    ("35600000000049", "clé de contrôle"),
])
def test_siret_invalid(value, words):
    with pytest.raises(InvalidIdentifier, match=words):
        validators.normalize_siret(value)


def test_demo_sirets_are_valid_and_distinct():
    sirets = {make_siret(n) for n in range(2000)}
    assert len(sirets) == 2000
    for s in list(sirets)[:200]:
        assert validators.normalize_siret(s) == s


def test_rna():
    assert validators.normalize_rna(" w572001234 ") == "W572001234"
    assert validators.normalize_rna("W2A1000123") == "W2A1000123"
    for bad in ("572001234", "W57200123", "W5720012345", "X572001234"):
        with pytest.raises(InvalidIdentifier, match="W suivi de 9"):
            validators.normalize_rna(bad)


def test_postcode_moselle_and_neighbours_only():
    assert validators.normalize_postcode("57000") == "57000"
    assert validators.normalize_postcode(" 54 000") == "54000"
    with pytest.raises(InvalidIdentifier, match="5 chiffres"):
        validators.normalize_postcode("5700")
    with pytest.raises(InvalidIdentifier, match="Moselle"):
        validators.normalize_postcode("75001")


def test_local_register_number():
    assert validators.normalize_local_register(" TJ Metz,  Vol. 42 ") == "TJ Metz, Vol. 42"
    with pytest.raises(InvalidIdentifier, match="pas de numéro RNA"):
        validators.normalize_local_register("")
    with pytest.raises(InvalidIdentifier, match="chiffres"):
        validators.normalize_local_register("tribunal de Metz")


@pytest.mark.parametrize("source", [
    "Bonjour <script>alert(1)</script>",
    "<script>alert(1)</script>",
    "Texte <img src=x onerror=alert(1)>",
    "<iframe src='https://exemple.org'></iframe>",
    "[clic](javascript:alert(1))",
])
def test_markdown_with_code_is_refused(app, source):
    """Descriptions follow the one Markdown policy (core.text)."""
    with pytest.raises(ValidationError) as err:
        check_markdown(source)
    assert err.value.code == "invalid_markdown"


def test_markdown_rendered_and_sanitised(app):
    source = check_markdown("# Titre\n\n**Gras** et [lien](https://exemple.org) a < b")
    html = render_markdown(source)
    assert "<h3>Titre</h3>" in html and "<strong>Gras</strong>" in html
    assert 'href="https://exemple.org"' in html and 'rel="nofollow noopener"' in html
    assert "a &lt; b" in html
    # Even if raw HTML reached the renderer (old data), nh3 removes it.
    assert "<script" not in render_markdown("x <script>alert(1)</script>")
