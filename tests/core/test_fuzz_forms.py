"""A form fuzzer that knows nothing of the domains: it reads the site like a visitor.

Logged in as staff and as a member of the demo (`flask demo load`), it crawls the pages
reachable from the home page (one page per endpoint and argument shape), reads every
`<form>` (action, method, fields with their shown values and options), and sends hostile
values — huge strings, NUL, CR/LF, RTL and zero-width characters, dates in year 1 and 9999,
numbers above 2⁶³, ids above 2³¹ — into every field in turn, then into all fields at once.
POST routes of the url_map that no form reached are posted to blindly, and every `<int:…>`
route is called with ids above 2³¹ and 2⁶³.

The assertion: never a 5xx, and when the answer is a refusal (4xx, or the form shown again
with 200), the row count of every table is what it was.

Recorded (`pytest tests/core/test_fuzz_forms.py -q -s` prints the counts), 2026-11-26:
  before the fixes (the same cases, run on the tree before them):
    SQLite      staff 1,049 cases, 4 server errors (year-1 dates in the event form);
                member 714 cases, 0.
    PostgreSQL  staff 1,049 cases, 11 server errors (the same dates; NUL in the filters of
                the outbox, accounts and registrations lists, in the staff message, in a
                territory's name); member 714 cases, 1 (NUL).
  after:
    SQLite      staff 1,049 cases, member 714: 0 server errors, 0 refused changes kept
                (31 s and 24 s on the shared 2-core machine).
    PostgreSQL  staff 1,049 cases, member 714: 0 server errors, 0 refused changes kept
                (33 s and 24 s).
"""

from __future__ import annotations

import re
import time
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

#: Values that broke, or could break, a field somewhere: size, NUL, header injection,
#: bidirectional and invisible characters, dates at the ends of the calendar, integers past
#: every SQL integer type, ids past PostgreSQL INTEGER, formulas, markup.
HOSTILE = [
    "x" * 20_000,
    "é" * 3_000,
    "a\x00b",
    "Eve\r\nBcc: victime@example.org",
    "\u202eRTL\u202c txt",
    "\u200b\u200d\ufeff",
    "0001-01-01",
    "9999-12-31",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    str(2**63),
    str(2**64),
    "-" + str(2**63),
    str(2**31),
    "1e309",
    "=1+1@example.com",
    "<script>alert(1)</script>",
    "",
]

#: What each free-text field gets on its own, the other fields as shown: the values that
#: reach a service's own checks (the rest is refused before any view, see HOSTILE cases
#: with every field at once).
PER_TEXT_FIELD = ["x" * 20_000, "Eve\r\nBcc: victime@example.org", "\u202eRTL\u202c\u200b",
                  str(2**63), ""]

#: What a query argument of a link gets instead of its value.
QUERY_VALUES = ["x" * 20_000, str(2**63), str(2**64), "-1", "0001-01-01", "a\x00b"]

#: Fields typed by the browser get what that control would never send, one field at a time.
_FEW = ["x" * 20_000, str(2**63)]
BY_KIND = {
    "date": ["0001-01-01", "9999-12-31", "10000-01-01", *_FEW],
    "datetime-local": ["0001-01-01T00:00", "9999-12-31T23:59", "2026-13-01T25:61", *_FEW],
    "time": ["24:00", *_FEW],
    "number": [str(2**64), "-" + str(2**63), "1e309", "NaN", *_FEW],
    "hidden": [*_FEW, ""],
    "email": [*PER_TEXT_FIELD, "=1+1@example.com", "a@b.co,c@d.co"],
}
#: Choices (a form may hold dozens) get those values all at once, one kind at a time.
CHOICES = ("checkbox", "radio", "select", "button")


@dataclass
class Field:
    name: str
    kind: str  # input type, "select", "textarea"
    value: str = ""
    options: list[str] = field(default_factory=list)
    checked: bool = False


@dataclass
class Form:
    page: str
    action: str
    method: str
    fields: list[Field] = field(default_factory=list)

    def baseline(self) -> list[tuple[str, str]]:
        """What a browser sends when the form is submitted as it is shown."""
        data = []
        pressed = False
        for f in self.fields:
            if f.kind in ("submit", "button") and f.name and not pressed:
                data.append((f.name, f.value))  # the first named button, as if clicked
                pressed = True
            elif f.kind in ("checkbox", "radio"):
                if f.checked:
                    data.append((f.name, f.value or "on"))
            elif f.kind == "select":
                if f.value or f.options:
                    data.append((f.name, f.value or f.options[0]))
            elif f.kind in ("submit", "button", "image", "reset", "file"):
                continue
            else:
                data.append((f.name, f.value))
        return data

    def names(self) -> list[str]:
        seen: list[str] = []
        for f in self.fields:
            if f.name not in seen and f.kind not in ("submit", "button", "image", "reset"):
                seen.append(f.name)
        return seen

    def kind_of(self, name: str) -> str:
        return next(f.kind for f in self.fields if f.name == name)


class PageReader(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(urljoin(self.page, a["href"]))
        elif tag == "form":
            self._form = Form(self.page, urljoin(self.page, a.get("action") or self.page),
                              (a.get("method") or "get").lower())
            self.forms.append(self._form)
        elif self._form is None or not a.get("name") and tag != "option":
            return
        elif tag == "input":
            self._form.fields.append(Field(a["name"], (a.get("type") or "text").lower(),
                                           a.get("value", ""), checked="checked" in a))
        elif tag == "select":
            self._select = Field(a["name"], "select")
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None and a.get("value") is not None:
            self._select.options.append(a.get("value", ""))
            if "selected" in a:
                self._select.value = a.get("value", "")
        elif tag == "textarea":
            self._textarea = Field(a["name"], "textarea")
            self._form.fields.append(self._textarea)
        elif tag == "button" and a.get("name"):
            self._form.fields.append(Field(a["name"], "button", a.get("value", "")))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def shape(app, url: str, method: str = "GET") -> str:
    """One page per endpoint and argument set: /evenements/3 and /evenements/4 are alike."""
    parts = urlsplit(url)
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _args = adapter.match(parts.path, method=method.upper())
    except Exception:
        return parts.path
    keys = sorted({k for k, _v in parse_qsl(parts.query)})
    return f"{endpoint}?{','.join(keys)}"


#: Pages never followed by the crawler: they end the session or only download.
SKIP_PATH = re.compile(r"/deconnexion|\.csv$|\.ics$|\.json$|/logo$|/piece-jointe/|\.png$")


def crawl(app, client, starts: list[str], limit: int = 120) -> tuple[list[Form], set[str]]:
    """Breadth-first over the site's own links; returns the forms found and pages seen
    (with their query strings: `?page=2`, `?statut=…`, whose arguments get fuzzed too)."""
    seen_shapes: set[str] = set()
    pages: set[str] = set()
    forms: dict[tuple[str, str, tuple[str, ...]], Form] = {}
    queue = deque(starts)
    while queue and len(pages) < limit:
        url = queue.popleft()
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost") or SKIP_PATH.search(parts.path):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        key = shape(app, path)
        if key in seen_shapes:
            continue
        seen_shapes.add(key)
        response = client.get(path)
        if response.status_code != 200 or "html" not in (response.content_type or ""):
            continue
        pages.add(path)
        reader = PageReader("http://localhost" + path)
        reader.feed(response.get_data(as_text=True))
        for form in reader.forms:
            action = urlsplit(form.action)
            # a GET form replaces the action's query string, as browsers do
            keep = action.query and form.method == "post"
            form.action = action.path + (f"?{action.query}" if keep else "")
            key = (form.method, shape(app, form.action, form.method), tuple(form.names()))
            forms.setdefault(key, form)
        queue.extend(reader.links)
    return list(forms.values()), pages


def row_counts(db) -> dict[str, int]:
    """Rows per table: a refused submission must leave every count as it was."""
    tables = db.metadata.sorted_tables
    row = db.session.execute(select(*[
        select(func.count()).select_from(t).scalar_subquery().label(t.name) for t in tables
    ])).one()
    db.session.rollback()
    return dict(zip([t.name for t in tables], row, strict=True))


def cases_for(form: Form, *, again: bool = False) -> list[tuple[str, list[tuple[str, str]]]]:
    """(description, data) pairs: every hostile value in every field in turn, the others
    as shown; then every field at once with each hostile value. `again`: the same
    fields were fuzzed one by one on another route already: only every field at once."""
    base = form.baseline()
    names = form.names()
    cases = []
    for name in names:
        kind = form.kind_of(name)
        if kind in CHOICES or again:
            continue
        for value in BY_KIND.get(kind, PER_TEXT_FIELD):
            data = [(k, v) for k, v in base if k != name] + [(name, value)]
            cases.append((f"{name}={value[:30]!r}", data))
    for kind in CHOICES:
        group = [n for n in names if form.kind_of(n) == kind]
        if group and not again:
            for value in _FEW:
                data = [(k, v) for k, v in base if k not in group] + [(n, value) for n in group]
                cases.append((f"every {kind}={value[:30]!r}", data))
    for value in HOSTILE:
        cases.append((f"*={value[:30]!r}", [(k, value) for k in names]))
    return cases


# --- the tests ----------------------------------------------------------------------------

DEMO_PASSWORD = "demo-Moselle-ESS-2026"
PEOPLE = {"staff": "equipe@example.org", "member": "membre@example.org"}
BIG_IDS = [2**31, 2**63, 2**64]


@pytest.fixture
def demo(app, db):
    from network.demo import load_demo

    load_demo()
    db.session.commit()


def _log_in(client, email: str) -> None:
    response = client.post("/connexion", data={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, f"cannot log in again as {email}"


def _logged_in(client) -> bool:
    return client.get("/compte").status_code == 200


def _refusal(method: str, status: int) -> bool:
    return status >= 400 or (method == "post" and status == 200)


class Findings:
    def __init__(self, db):
        self.db = db
        self.cases = 0
        self.errors: list[str] = []
        self.counts = row_counts(db)

    def send(self, client, method: str, url: str, data, what: str) -> None:
        self.cases += 1
        if method == "post":
            response = client.post(url, data=MultiDict(data))
        else:
            response = client.get(url, query_string=MultiDict(data))
        status = response.status_code
        if status >= 500:
            self.errors.append(f"{status} {method.upper()} {url} {what}")
            self.counts = row_counts(self.db)
            return
        after = row_counts(self.db)
        if _refusal(method, status) and after != self.counts:
            changed = {t: (self.counts[t], n) for t, n in after.items() if self.counts[t] != n}
            self.errors.append(f"{status} {method.upper()} {url} {what} changed {changed}")
        self.counts = after


def _fill(rule) -> str | None:
    """A URL for a rule nobody linked to: ids 1, the first choice of `any(…)`, "x"."""
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        kind = type(converter).__name__
        if "Integer" in kind:
            values[name] = 1
        elif "Any" in kind:
            values[name] = sorted(converter.items)[0] if hasattr(converter, "items") else "x"
        else:
            values[name] = "x"
    try:
        return rule.build(values, append_unknown=False)[1]
    except Exception:
        return None


@pytest.mark.parametrize("who", ["staff", "member"])
def test_no_form_field_gives_a_server_error_or_keeps_a_refused_change(who, demo, app, db):
    client = app.test_client()
    _log_in(client, PEOPLE[who])
    started = time.monotonic()
    forms, pages = crawl(app, client, ["/"])
    assert len(pages) > (20 if who == "staff" else 10) and forms, "the crawler found no pages"
    findings = Findings(db)
    # POST forms last, and the ones that end the session at the very end.
    ordered = sorted(forms, key=lambda f: (f.method == "post",
                                           bool(re.search(r"deconnexion|supprimer", f.action))))
    reached, fuzzed = set(), set()
    adapter = app.url_map.bind("localhost")
    for form in ordered:
        if form.method == "post":
            try:
                reached.add(adapter.match(urlsplit(form.action).path, method="POST")[0])
            except Exception:
                pass
        fields = (form.method, tuple(form.names()))
        for what, data in cases_for(form, again=fields in fuzzed):
            findings.send(client, form.method, form.action, data, what)
        fuzzed.add(fields)
        if not _logged_in(client):
            _log_in(client, PEOPLE[who])
    blind = 0
    known = sorted({n for form in forms for n in form.names() if n != "csrf_token"} | {"next"})
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and rule.endpoint not in reached and rule.endpoint != "static":
            url = _fill(rule)
            if url is None or re.search(r"deconnexion", url):
                continue
            blind += 1
            for value in PER_TEXT_FIELD + ["a\x00b"]:  # in every field name the site uses
                findings.send(client, "post", url, [(n, value) for n in known], "blind")
            if not _logged_in(client):
                _log_in(client, PEOPLE[who])
    # Query arguments the site's own links carry (?page=, ?statut=, ?type=…), on every page.
    links = {}
    for page in pages:
        parts = urlsplit(page)
        for key, _value in parse_qsl(parts.query):
            links.setdefault((shape(app, parts.path), key), parts.path)
    for (_shape, key), path in sorted(links.items()):
        for value in QUERY_VALUES:
            findings.send(client, "get", path, [(key, value)], f"?{key}")
    print(f"\nform fuzzer ({who}, {db.engine.dialect.name}): {len(pages)} pages, "
          f"{len(forms)} forms, {blind} POST routes without a form, {len(links)} query "
          f"arguments, {findings.cases} cases, "
          f"{len(findings.errors)} problems, {time.monotonic() - started:.1f} s")
    assert not findings.errors, "\n".join(findings.errors[:40])


def test_ids_beyond_the_database_integer_are_404_on_every_route(demo, app, db):
    """Every `<int:…>` route, for anonymous visitors and staff alike."""
    staff = app.test_client()
    _log_in(staff, PEOPLE["staff"])
    anonymous = app.test_client()
    checked = 0
    for rule in app.url_map.iter_rules():
        ints = [n for n in rule.arguments if "Integer" in type(rule._converters[n]).__name__]
        if not ints:
            continue
        for big in BIG_IDS:
            base = _fill(rule)
            values = {}
            for name in rule.arguments:
                converter = rule._converters[name]
                if name in ints:
                    values[name] = big
                elif hasattr(converter, "items"):
                    values[name] = sorted(converter.items)[0]
                else:
                    values[name] = "x"
            # url building does not check the bound: only matching does
            path = rule.build(values, append_unknown=False)[1]
            assert base is not None
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                for client in (anonymous, staff):
                    status = client.open(path, method=method).status_code
                    checked += 1
                    assert status == 404, f"{method} {path}: {status}"
    assert checked > 100
