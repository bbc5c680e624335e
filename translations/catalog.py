"""The catalogues' one tool: extract, check and compile, without remembering pybabel's flags.

    python translations/catalog.py extract          # messages.pot from babel.cfg
    python translations/catalog.py update           # en/de catalogues follow the sources
    python translations/catalog.py missing [LANG]   # untranslated or fuzzy entries, exit 1 if any
    python translations/catalog.py compile          # .mo files (what `make` runs)
    python translations/catalog.py part NAME PATH…  # a part file per domain (parallel work)
    python translations/catalog.py build            # parts + catalogues -> catalogues

Parts (`translations/parts/NAME.LANG.po`) let several people translate different domains at
once without touching the same file; `build` folds them into the catalogues and the parts can
then be deleted. French is the source language: msgids are the French text.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LANGS = ("en", "de")
KEYWORDS = {
    "_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
    "lazy_ngettext": (1, 2), "_n": (1, 2), "pgettext": ((1, "c"), 2),
    "lazy_pgettext": ((1, "c"), 2), "npgettext": ((1, "c"), 2, 3),
}
JINJA = "jinja2.ext:babel_extract"
METHODS = {".py": "python", ".html": JINJA, ".txt": JINJA}
SOURCES = ("network", "templates")
JINJA_OPTIONS = {"extensions": "jinja2.ext.do", "trimmed": "false"}


def _files(paths: list[Path]):
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.suffix in METHODS and p.is_file())
        elif path.suffix in METHODS and path.is_file():
            yield path


def extract(paths: list[Path]) -> Catalog:
    catalog = Catalog(project="network", locale=None, charset="utf-8")
    for path in _files(paths):
        method = METHODS[path.suffix]
        if path.suffix == ".txt" and "templates" not in path.parts:
            continue
        options = JINJA_OPTIONS if method == JINJA else {}
        rel = path.relative_to(ROOT).as_posix()
        for lineno, message, comments, context in extract_from_file(
                method, str(path), keywords=KEYWORDS, comment_tags=("TRANSLATORS:",),
                options=options, strip_comment_tags=True):
            catalog.add(message, None, [(rel, lineno)], auto_comments=comments, context=context)
    return catalog


def _read(path: Path, locale: str) -> Catalog:
    if not path.exists():
        return Catalog(locale=locale, charset="utf-8")
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _write(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, sort_output=False, include_previous=False,
                 omit_header=False)


def _main_po(lang: str) -> Path:
    return HERE / lang / "LC_MESSAGES" / "messages.po"


def _translated(message) -> bool:
    if message.fuzzy:
        return False
    if isinstance(message.string, (tuple, list)):
        return all(message.string)
    return bool(message.string)


def _fill(template: Catalog, lang: str, sources: list[Catalog], order=None) -> Catalog:
    """A catalogue for `lang` with every message of `template`, taking each translation from
    the first source that has it (parts first, then the existing catalogue)."""
    out = Catalog(locale=lang, project="network", charset="utf-8")
    for message in template:
        if not message.id:
            continue
        string = None
        ranked = order(message) + sources if order else sources
        for source in ranked:
            known = source.get(message.id, context=message.context)
            if known is not None and _translated(known):
                string = known.string
                break
        if string is None:
            string = ("", "") if isinstance(message.id, (tuple, list)) else ""
        elif isinstance(message.id, (tuple, list)) and not isinstance(string, (tuple, list)):
            string = (string, string)
        elif not isinstance(message.id, (tuple, list)) and isinstance(string, (tuple, list)):
            string = string[0]
        out.add(message.id, string, list(message.locations), auto_comments=message.auto_comments,
                context=message.context)
    return out


def _missing(catalog: Catalog) -> list[str]:
    return [m.id if isinstance(m.id, str) else m.id[0]
            for m in catalog if m.id and not _translated(m)]


def cmd_extract() -> Catalog:
    template = extract([ROOT / s for s in SOURCES])
    _write(template, HERE / "messages.pot")
    print(f"messages.pot: {len(template)} messages")
    return template


def cmd_update() -> None:
    template = cmd_extract()
    french_plurals(template)
    for lang in LANGS:
        catalog = _fill(template, lang, [_read(_main_po(lang), lang)])
        _write(catalog, _main_po(lang))
        print(f"{lang}: {len(catalog)} messages, {len(_missing(catalog))} untranslated")


def cmd_missing(langs: list[str]) -> int:
    status = 0
    for lang in langs or LANGS:
        left = _missing(_read(_main_po(lang), lang))
        for msgid in left:
            print(f"{lang}: {msgid!r}")
        status |= bool(left)
    return status


def french_plurals(template: Catalog) -> Catalog:
    """French is the source language, but without a catalogue gettext applies English's
    plural rule ("0 rappels"): this one holds the plural messages only, as they are, under
    French's rule (CLDR: 0 and 1 singular), so "0 rappel" reads right."""
    out = Catalog(locale="fr", project="network", charset="utf-8")
    for message in template:
        if message.id and isinstance(message.id, (tuple, list)):
            singular, plural = message.id[0], message.id[1]
            forms = (singular,) + (plural,) * (out.num_plurals - 1)
            out.add(message.id, forms, list(message.locations), context=message.context)
    _write(out, _main_po("fr"))
    return out


def cmd_compile() -> None:
    for lang in ("fr", *LANGS):
        po = _main_po(lang)
        if not po.exists():
            continue
        catalog = _read(po, lang)
        with po.with_suffix(".mo").open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)


def cmd_part(name: str, paths: list[str]) -> None:
    template = extract([(Path.cwd() / p).resolve() for p in paths])
    for lang in LANGS:
        part = HERE / "parts" / f"{name}.{lang}.po"
        catalog = _fill(template, lang, [_read(part, lang), _read(_main_po(lang), lang)])
        _write(catalog, part)
        print(f"{part.relative_to(ROOT)}: {len(catalog)} messages, "
              f"{len(_missing(catalog))} untranslated")


def cmd_part_missing(name: str) -> int:
    status = 0
    for lang in LANGS:
        left = _missing(_read(HERE / "parts" / f"{name}.{lang}.po", lang))
        for msgid in left:
            print(f"{lang}: {msgid!r}")
        status |= bool(left)
    return status


def _owner_first(template: Catalog, parts: list[Catalog]):
    """Two parts may translate one msgid differently ("Lieu": Venue, Location): the part that
    extracted the file where the message is first used wins, so a page reads as its domain
    translated it."""
    files = [{path for m in part for path, _line in m.locations} for part in parts]

    def order(message) -> list[Catalog]:
        first = message.locations[0][0] if message.locations else ""
        return sorted(parts, key=lambda part: first not in files[parts.index(part)])

    return order


def cmd_build() -> None:
    template = cmd_extract()
    french_plurals(template)
    for lang in LANGS:
        parts = [_read(p, lang) for p in sorted((HERE / "parts").glob(f"*.{lang}.po"))]
        catalog = _fill(template, lang, parts + [_read(_main_po(lang), lang)],
                        order=_owner_first(template, parts))
        _write(catalog, _main_po(lang))
        print(f"{lang}: {len(catalog)} messages, {len(_missing(catalog))} untranslated")
    cmd_compile()


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    command, args = argv[0], argv[1:]
    if command == "extract":
        cmd_extract()
    elif command == "update":
        cmd_update()
    elif command == "missing":
        if args and args[0] not in LANGS:
            return cmd_part_missing(args[0])
        return cmd_missing(args)
    elif command == "compile":
        cmd_compile()
    elif command == "part" and args:
        cmd_part(args[0], args[1:])
    elif command == "build":
        cmd_build()
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
