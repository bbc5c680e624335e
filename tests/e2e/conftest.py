"""Browser helpers: an accessibility check with axe-core (vendored for tests only)."""

from __future__ import annotations

from pathlib import Path

import pytest

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"


@pytest.fixture
def check_a11y():
    """Fail on any serious or critical WCAG 2.1 A/AA violation on the current page."""

    def check(page, context: str = ""):
        # Evaluated through DevTools, so the site's strict CSP stays on during the test.
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
        result = page.evaluate(
            "async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a',"
            " 'wcag21aa']})"
        )
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
                        for n in v["nodes"][:3])
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert not bad, f"{context or page.url}: " + " | ".join(bad)

    return check
