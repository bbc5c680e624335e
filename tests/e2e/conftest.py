"""Browser helpers: an accessibility check with axe-core (vendored for tests only)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"


def _run_axe(page, attempts: int = 3):
    """Run axe on a page that has finished loading.

    A click on a link returns once the next page has started to load; axe run on a
    half-parsed document, or one replaced under it, fails inside axe (CI saw
    "Cannot read properties of null (reading 'documentElement')"). So wait for the
    load event, and run again when the page changed under axe.
    """
    for attempt in range(attempts):
        page.wait_for_load_state("load")
        try:
            # Evaluated through DevTools, so the site's strict CSP stays on during the test.
            page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
            return page.evaluate(
                "async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa',"
                " 'wcag21a', 'wcag21aa']})"
            )
        except PlaywrightError as error:
            replaced = ("documentElement" in error.message
                        or "Execution context was destroyed" in error.message
                        or "axe is not defined" in error.message)
            if not replaced or attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


@pytest.fixture
def check_a11y():
    """Fail on any serious or critical WCAG 2.1 A/AA violation on the current page."""

    def check(page, context: str = ""):
        result = _run_axe(page)
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
                        for n in v["nodes"][:3])
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert not bad, f"{context or page.url}: " + " | ".join(bad)

    return check
