"""Dates, ranges and numbers in each language: "16h42" in French, "16:42 Uhr" in German."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from network.core.i18n import in_locale, number, pattern, when, when_range

START = datetime(2026, 12, 2, 15, 30, tzinfo=UTC)  # 16h30 in Paris (winter time)
END = datetime(2026, 12, 2, 18, 30, tzinfo=UTC)


@pytest.mark.parametrize(("lang", "style", "expected"), [
    ("fr", "time", "16h30"),
    ("fr", "datetime", "mercredi 2 décembre 2026 à 16h30"),
    ("fr", "short", "02/12/2026 16h30"),
    ("en", "time", "4:30 PM"),
    ("en", "day", "Wednesday 2 December 2026"),
    ("de", "time", "16:30 Uhr"),
    ("de", "datetime", "Mittwoch, 2. Dezember 2026 um 16:30 Uhr"),
    ("de", "shortdate", "02.12.2026"),
])
def test_styles_speak_the_page_language(app, lang, style, expected):
    with app.test_request_context(), in_locale(lang):
        assert when(START, style) == expected


def test_summer_time_and_plain_dates(app):
    with app.test_request_context(), in_locale("fr"):
        assert when(datetime(2026, 7, 1, 14, 42, tzinfo=UTC), "time") == "16h42"
        assert when(date(2026, 12, 2), "date") == "2 décembre 2026"
        assert when(None) == ""


def test_ranges_and_numbers(app):
    with app.test_request_context():
        with in_locale("fr"):
            assert when_range(START, END) == "mercredi 2 décembre 2026, 16h30–19h30"
            assert number(12345.5) == "12\u202f345,5"
        with in_locale("de"):
            assert when_range(START, END) == "Mittwoch, 2. Dezember 2026, 16:30–19:30"
            assert number(12345.5) == "12.345,5"
        with in_locale("en"):
            assert number(0.456, 1) == "0.5"


def test_unknown_language_and_raw_patterns(app):
    with app.test_request_context():
        with in_locale("xx"):
            assert when(START, "time") == "16h30"
        assert pattern("d MMM y") == "d MMM y"


def test_the_template_filter_takes_a_style(app):
    with app.test_request_context(), in_locale("de"):
        rendered = app.jinja_env.from_string('{{ d|paris("time") }} {{ when_range(d, e) }}').render(
            d=START, e=END)
    assert rendered == "16:30 Uhr Mittwoch, 2. Dezember 2026, 16:30–19:30"
