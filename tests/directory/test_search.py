"""Full-text search behind one service, on whichever engine the suite runs (SQLite or PG)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from network.core import search
from network.directory import services
from network.directory.models import StructureStatus


@pytest.fixture
def sample(make_structure):
    return {
        "eco": make_structure(name="Maison de l'Économie Solidaire", territory="thionville",
                              legal_form="scop-sarl", coop_status="scop", rna="",
                              buyer_kind="ei", labels=[("esus", None, None)]),
        "garden": make_structure(name="Jardins d'insertion du Saulnois",
                                 territory="sarrebourg-chateau-salins", buyer_kind="aci",
                                 sectors=["maraichage"],
                                 offerings=[("espaces-verts", "prestation", "territoire")]),
        "cafe": make_structure(name="Café Œcuménique", trade_name="Le Cœur", sectors=["culture"],
                               offerings=[]),
        "pending": make_structure(name="Économie cachée", status=StructureStatus.PENDING),
        "suspended": make_structure(name="Économie suspendue",
                                    status=StructureStatus.SUSPENDED),
    }


def names(result) -> list[str]:
    return [s.name for s in result.items]


def test_normalize_strips_accents_ligatures_and_case():
    assert search.normalise("L'Économie  SOCIALE — Cœur") == "l economie sociale coeur"
    assert search.terms("  ") == []


@pytest.mark.parametrize("query", ["economie", "ÉCONOMIE", "Economie solid", "écono"])
def test_accent_and_case_insensitive_prefix_search(sample, query):
    assert names(services.search_structures(query)) == ["Maison de l'Économie Solidaire"]


def test_ligature_and_trade_name(sample):
    assert names(services.search_structures("coeur")) == ["Café Œcuménique"]
    assert names(services.search_structures("oecumenique")) == ["Café Œcuménique"]


def test_all_words_required_and_odd_input_is_harmless(sample):
    assert services.search_structures("economie jardins").total == 0
    for odd in ['"', "*", "economie OR jardins", "NEAR(a b)", "a:*", "'); drop", "\\", "-x"]:
        services.search_structures(odd)  # no syntax error from either engine


def test_search_finds_sector_category_commune_and_label_names(sample):
    assert names(services.search_structures("maraichage")) == ["Jardins d'insertion du Saulnois"]
    assert names(services.search_structures("espaces verts")) == [
        "Jardins d'insertion du Saulnois"]
    assert names(services.search_structures("agrement esus")) == [
        "Maison de l'Économie Solidaire"]


def test_pending_and_suspended_are_hidden(sample):
    assert services.search_structures("cachee").total == 0
    assert services.search_structures("suspendue").total == 0
    assert services.search_structures().total == 3


@pytest.mark.parametrize(("filters", "expected"), [
    ({"territories": ("thionville",)}, ["Maison de l'Économie Solidaire"]),
    ({"sectors": ("agriculture",)}, ["Jardins d'insertion du Saulnois"]),  # parent
    ({"sectors": ("maraichage",)}, ["Jardins d'insertion du Saulnois"]),
    ({"categories": ("espaces-verts",)}, ["Jardins d'insertion du Saulnois"]),
    ({"legal_forms": ("scop-sarl",)}, ["Maison de l'Économie Solidaire"]),
    ({"buyer_kinds": ("siae",)}, ["Jardins d'insertion du Saulnois",
                                  "Maison de l'Économie Solidaire"]),
    ({"buyer_kinds": ("aci",)}, ["Jardins d'insertion du Saulnois"]),
    ({"labels": ("esus",)}, ["Maison de l'Économie Solidaire"]),
    ({"territories": ("metz",), "sectors": ("culture",)}, ["Café Œcuménique"]),
    ({"territories": ("nowhere",)}, []),
])
def test_filters(sample, filters, expected):
    result = services.search_structures("", services.SearchFilters(**filters), "nom")
    assert names(result) == expected


def test_text_with_filter(sample):
    result = services.search_structures("insertion", services.SearchFilters(
        territories=("sarrebourg-chateau-salins",)))
    assert names(result) == ["Jardins d'insertion du Saulnois"]


def test_sort_and_pagination(make_structure):
    for n in range(25):
        make_structure(name=f"Atelier {n:02d}")
    page1 = services.search_structures("atelier", sort="nom", page=1, per_page=10)
    page3 = services.search_structures("atelier", sort="nom", page=3, per_page=10)
    assert page1.total == 25 and page1.pages == 3 and page1.has_next and not page1.has_prev
    assert names(page1)[0] == "Atelier 00" and names(page3) == [
        "Atelier 20", "Atelier 21", "Atelier 22", "Atelier 23", "Atelier 24"]
    recent = services.search_structures("atelier", sort="recent", per_page=1)
    assert names(recent) == ["Atelier 24"]
    assert services.search_structures("atelier", per_page=500).per_page == 100
    beyond = services.search_structures("atelier", page=9, per_page=10)
    assert beyond.items == [] and beyond.total == 25 and not beyond.has_next


def test_filters_round_trip_through_query_args():
    from werkzeug.datastructures import MultiDict

    args = MultiDict([("territoire", "metz"), ("territoire", "thionville"), ("type", "siae"),
                      ("secteur", ""), ("q", "x")])
    filters = services.SearchFilters.from_args(args)
    assert filters.territories == ("metz", "thionville") and filters.buyer_kinds == ("siae",)
    assert filters.to_args() == {"territoire": ["metz", "thionville"], "type": ["siae"]}


def test_public_dict_hides_contact_unless_chosen(make_structure):
    hidden = make_structure(public_email="prive@exemple.org", show_contact=False)
    shown = make_structure(public_email="public@exemple.org", show_contact=True)
    assert "prive@exemple.org" not in json.dumps(services.public_dict(hidden))
    assert services.public_dict(shown)["contact"]["email"] == "public@exemple.org"


def test_csv_export_opens_in_french_excel(make_structure):
    make_structure(name="=HYPERLINK(\"http://x\")", commune="Saint-Avold", postcode="57500")
    make_structure(name="Ça; marche", status=StructureStatus.PENDING)
    raw = services.export_csv()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Identifiant", "Statut", "Nom"]
    by_name = {r[2]: r for r in rows[1:]}
    assert "Ça; marche" in by_name  # the separator inside a value is quoted
    assert "'=HYPERLINK(\"http://x\")" in by_name  # no formula injection
    assert len(services.export_csv("approved").decode("utf-8-sig").strip().splitlines()) == 2
    data = json.loads(services.export_json())
    assert {d["nom"] for d in data} == {"=HYPERLINK(\"http://x\")", "Ça; marche"}
