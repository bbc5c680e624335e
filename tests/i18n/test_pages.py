"""Every page of the demo site in French, English and German (issue #17).

One crawl per language over every GET route of `app.url_map` (routes.py says who opens each
and with which values; a route missing there fails). A page must answer what routes.py
expects, carry `<html lang>` of its language and, in English and German, show no French
outside what people typed. French pages follow the house copy rules (no "place(s)", no
placeholder shown to the public, times as 16h42).
"""

from __future__ import annotations

import io
import re
import time
from dataclasses import dataclass, field

import pytest

from i18n.french import Leftovers, fold, french_words, is_french, parse
from i18n.routes import AS_SENT, NOT_CRAWLED, REDIRECT, STATUS_ONLY, routes

LANGS = ("fr", "en", "de")


def domain_of(endpoint: str) -> str:
    blueprint = endpoint.split(".")[0]
    return {"seo": "main", "news": "admin", "door": "events", "door_api": "events"}.get(
        blueprint, blueprint)


TOKEN = re.compile(r"[A-Za-z0-9_\-.]{40,}")


def short(path: str) -> str:
    """A path as a developer reads it: signed tokens shown as <token>."""
    return TOKEN.sub("<token>", path)


@dataclass
class Page:
    endpoint: str
    where: str               # "GET /path" (→ where it redirected)
    status: int
    mimetype: str
    html_lang: str | None = None
    fragments: list[str] = field(default_factory=list)


@dataclass
class Crawl:
    lang: str
    pages: list[Page] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _text_of(response) -> list[str]:
    """The text a person reads in a non-HTML answer, one fragment per line or cell."""
    mimetype = response.mimetype
    if mimetype == "text/csv":
        import csv

        text = response.get_data(as_text=True).lstrip("\ufeff")
        first = text.split("\n", 1)[0]
        rows = csv.reader(io.StringIO(text),
                          delimiter=";" if first.count(";") >= first.count(",") else ",")
        return [fold(cell.lstrip("'")) for row in rows for cell in row if cell.strip()]
    if mimetype == "application/pdf":
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(response.get_data()))
        return [fold(line) for page in reader.pages[:3]
                for line in (page.extract_text() or "").splitlines() if line.strip()]
    if mimetype == "text/calendar":
        text = response.get_data(as_text=True).replace("\r\n ", "").replace("\\n", "\n")
        keep = ("SUMMARY", "DESCRIPTION", "LOCATION", "X-WR-CALNAME", "X-WR-CALDESC",
                "COMMENT")
        out = []
        for line in text.splitlines():
            name, _sep, value = line.partition(":")
            if name.split(";")[0] in keep:
                out.extend(fold(v.replace("\\,", ",").replace("\\;", ";"))
                           for v in value.split("\n") if v.strip())
        return out
    return []


def crawl(site, lang: str) -> Crawl:
    done = Crawl(lang)
    start = time.perf_counter()
    site.refresh_data()
    plan = routes(site, lang)
    for rule in site.app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint not in plan \
                and rule.endpoint not in NOT_CRAWLED:
            done.problems.append(f"{rule.endpoint} ({rule.rule}): not crawled — add it to "
                                 "tests/i18n/routes.py (or to NOT_CRAWLED with the reason)")
    for endpoint, visits in plan.items():
        for visit in visits:
            client = site.client(visit.who, lang)
            response = client.get(visit.path, headers=visit.headers)
            shown = short(visit.path)
            where = f"{shown} ({visit.who})" if visit.who != "anon" else shown
            if response.status_code not in visit.ok:
                done.problems.append(f"{where}: answered {response.status_code}, expected "
                                     f"{'/'.join(map(str, visit.ok))}")
            if response.status_code in REDIRECT:
                location = response.headers.get("Location", "")
                if location.startswith("/") or location.startswith("http://localhost"):
                    response = client.get(location.replace("http://localhost", ""))
                    where = f"{where} → {short(location.replace('http://localhost', ''))}"
            page = Page(endpoint, where, response.status_code, response.mimetype)
            if response.mimetype == "text/html":
                page.html_lang, page.fragments = parse(response.get_data(as_text=True))
            elif response.mimetype in STATUS_ONLY or endpoint in AS_SENT:
                pass
            else:
                page.fragments = _text_of(response)
            done.pages.append(page)
    done.seconds = time.perf_counter() - start
    return done


@pytest.fixture(scope="module")
def crawls(site):
    """The three crawls, once (the French one first: the copy rules read it too)."""
    return {}


def crawled(site, crawls, lang) -> Crawl:
    if lang not in crawls:
        crawls[lang] = crawl(site, lang)
    return crawls[lang]


def leftovers_in(site, pages: list[Page], lang: str) -> Leftovers:
    found = Leftovers()
    for page in pages:
        broken = page.mimetype == "application/pdf"
        for fragment in page.fragments:
            rest = site.data.without(fragment, broken=broken)
            if rest and is_french(rest, lang):
                found.add(lang, page.where, fragment, french_words(rest, lang),
                          domain_of(page.endpoint), key=rest)
    return found


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_in_its_language(site, crawls, lang):
    result = crawled(site, crawls, lang)
    problems = list(result.problems)
    for page in result.pages:
        if page.mimetype == "text/html" and page.html_lang != lang:
            problems.append(f"{page.where}: <html lang={page.html_lang!r}>, expected {lang!r}")
    message = [f"{len(result.pages)} answers crawled in {lang} in {result.seconds:.1f} s"]
    if problems:
        message += ["", f"{len(problems)} pages that do not answer as expected:"]
        message += [f"  {p}" for p in problems]
    if lang == "fr":
        # The detector sees French: every French page with text is flagged (its layout at
        # least), or the tool would be blind.
        blind = [page.where for page in result.pages if page.mimetype == "text/html"
                 and page.status < 400 and not leftovers_in(site, [page], "en").count()]
        if blind:
            problems.append("detector")
            message += ["", "French pages where the detector sees no French (tune french.py):"]
            message += [f"  {w}" for w in blind]
    else:
        found = leftovers_in(site, result.pages, lang)
        if found.count():
            problems.append("french")
            counts = ", ".join(f"{d}: {n}" for d, n in found.by_domain(lang).items())
            message += ["", f"French left in {lang} ({counts}):", found.report()]
    assert not problems, "\n".join(message)


# --- French copy (issue #17): plurals, placeholders, times -----------------------------

PLURAL_PARENS = re.compile(r"[^\W\d_]+\((?:s|e|es|x|nt|ne|le|ve)\)[^\W\d_]*", re.UNICODE)
PLACEHOLDERS = ("(à renseigner)", "à renseigner", "Lieu à préciser", "(à préciser)",
                "à préciser", "TODO", "Lorem ipsum")
COLON_TIME = re.compile(r"(?<![\d:])(?:[01]?\d|2[0-3]):[0-5]\d(?![\d:])")


def copy_problems(site, pages: list[Page]) -> list[str]:
    """Each problem once, with an example and the pages showing it."""
    problems: dict[str, tuple[str, list[str]]] = {}

    def add(what: str, fragment: str, where: str):
        example, pages_ = problems.setdefault(what, (fragment[:90], []))
        if where not in pages_:
            pages_.append(where)

    for page in pages:
        if page.mimetype not in ("text/html", "application/pdf", "text/csv"):
            continue
        for fragment in page.fragments:
            for placeholder in PLACEHOLDERS:
                if placeholder.lower() in fragment.lower():
                    add(f"placeholder {placeholder!r} shown", fragment, page.where)
                    break
            # what people typed is theirs
            ours = site.data.without(fragment, broken=page.mimetype == "application/pdf")
            for match in PLURAL_PARENS.finditer(ours):
                add(f"plural in parentheses {match.group(0)!r}", fragment, page.where)
            # A spreadsheet cell holds a time Excel reads (12/01/2026 08:01): pages only.
            if page.mimetype != "text/csv" and COLON_TIME.search(ours):
                add("time written HH:MM (write 16h42)", fragment, page.where)
    return [f"{what}, e.g. {example!r} — {', '.join(w[:3])}"
            f"{f' (+{len(w) - 3})' if len(w) > 3 else ''}"
            for what, (example, w) in sorted(problems.items())]


def test_french_copy_rules(site, crawls):
    problems = copy_problems(site, crawled(site, crawls, "fr").pages)
    assert not problems, f"{len(problems)} French copy problems:\n" + "\n".join(problems)


def test_copy_rules_see_what_they_look_for():
    """The copy rules flag the patterns of issue #17 and let proper French through."""
    from types import SimpleNamespace

    from i18n.french import DataStrings

    bad = ["3 place(s) restante(s)", "2 inscription(s)", "Vous êtes déconnecté(e).",
           "Adresse (à renseigner)", "Lieu à préciser", "Arrivé à 16:42"]
    good = ["3 places restantes", "Vous êtes déconnecté·e.", "Arrivée à 16h42",
            "Le 2 décembre 2026 de 9h30 à 12h", "Score 10/12"]
    fake = SimpleNamespace(data=DataStrings([]))
    pages = [Page("main.home", f"/{n}", 200, "text/html", "fr", [text])
             for n, text in enumerate(bad + good)]
    flagged = {where for p in copy_problems(fake, pages)
               for where in p.split(" — ")[1].split(", ")}
    assert flagged == {f"/{n}" for n in range(len(bad))}
