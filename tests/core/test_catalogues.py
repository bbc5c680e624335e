"""The English and German catalogues hold every text of the sources, each one translated,
with the same placeholders as the French: a new string without its translation fails here."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")


def _tool():
    spec = importlib.util.spec_from_file_location("catalog", ROOT / "translations" / "catalog.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def sources():
    return _tool().extract([ROOT / "network", ROOT / "templates"])


def _ids(message) -> tuple[str, ...]:
    return tuple(message.id) if isinstance(message.id, (tuple, list)) else (message.id,)


def _strings(message) -> tuple[str, ...]:
    s = message.string
    return tuple(s) if isinstance(s, (tuple, list)) else (s,)


@pytest.mark.parametrize("lang", ["en", "de"])
def test_every_source_text_is_translated(sources, lang):
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalog = read_po(handle, locale=lang)
    assert len(sources) > 1000  # the extraction found the site's texts
    missing, untranslated, placeholders = [], [], []
    for message in sources:
        if not message.id:
            continue
        known = catalog.get(message.id, context=message.context)
        if known is None:
            missing.append(_ids(message)[0])
        elif known.fuzzy or not all(_strings(known)):
            untranslated.append(_ids(message)[0])
        else:
            wanted = set(PLACEHOLDER.findall(" ".join(_ids(message))))
            got = set(PLACEHOLDER.findall(" ".join(_strings(known))))
            if not got <= wanted or (wanted - got - {"num"}):
                placeholders.append(f"{_ids(message)[0]!r}: {sorted(wanted)} != {sorted(got)}")
    assert not missing, ("not in the catalogue (run translations/catalog.py update):\n"
                         + "\n".join(missing[:40]))
    assert not untranslated, "untranslated:\n" + "\n".join(untranslated[:40])
    assert not placeholders, "placeholders differ:\n" + "\n".join(placeholders[:40])


def test_french_plurals_are_complete(sources):
    with open(ROOT / "translations" / "fr" / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalog = read_po(handle, locale="fr")
    plural = [m for m in sources if m.id and isinstance(m.id, (tuple, list))]
    assert plural
    for message in plural:
        known = catalog.get(message.id, context=message.context)
        assert known is not None and all(_strings(known)), message.id


#: One French word, several acts: each gets a context, so a language that needs two words
#: has them ("Annuler" is "Abbrechen" for a form, "Absagen" for a meeting, "Stornieren" for a
#: registration, "Zurückziehen" for an invitation).
HOMOGRAPHS = {
    "de": {(None, "Annuler"): "Abbrechen", ("meeting", "Annuler"): "Absagen",
           ("registration", "Annuler"): "Stornieren", ("invitation", "Annuler"): "Zurückziehen",
           (None, "Valider"): "Bestätigen", ("approve", "Valider"): "Freigeben",
           (None, "Inscription"): "Anmeldung", ("structure record", "Inscription"): "Eintragung",
           ("seats", "Places"): "Plätze", ("positions", "Places"): "Stellen"},
    "en": {("approve", "Valider"): "Approve", (None, "Valider"): "Confirm",
           ("invitation", "Annuler"): "Withdraw", ("seats", "Places"): "Seats",
           ("positions", "Places"): "Positions", ("structure record", "Inscription"): "Creation"},
}


@pytest.mark.parametrize("lang", ["en", "de"])
def test_homographs_have_a_context_each(sources, lang):
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalogue = read_po(handle, locale=lang)
    for (context, msgid), expected in HOMOGRAPHS[lang].items():
        assert sources.get(msgid, context) is not None, (context, msgid)  # still in the sources
        assert catalogue.get(msgid, context).string == expected, (context, msgid)
