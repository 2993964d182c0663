"""Automated accessibility audit: axe-core (vendored in tests/browser/vendor, a test asset never served to
users) runs on every page of the app, in Spanish and English and in presenter mode, and must find no
serious or critical violation (WCAG 2.x A/AA rules, colour contrast included)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from callbacks.pages import all_pages
from tests.browser.conftest import wait_for_dash

AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"

STORY = json.loads((Path(__file__).resolve().parents[2] / "data" / "demo" / "story.json").read_text("utf-8"))

PATHS = [p.path for p in all_pages()] + [
    "/profile?territory=0309",
    "/profile?territory=03&lang=en",
    "/profile?territory=0309&present=1",
] + [  # presenter mode: every view of the demo story (its colours differ: dark strips, larger type)
    s["url"] + ("&" if "?" in s["url"] else "?") + "present=1" for s in STORY if not s["url"].startswith("/profile")
]


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => {
          const r = await axe.run(document, {resultTypes: ['violations']});
          return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                         nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
        }"""
    )


@pytest.mark.parametrize("path", PATHS)
def test_no_serious_or_critical_accessibility_violation(page, demo_server, path):
    page.goto(demo_server.url + path)
    wait_for_dash(page)
    if path.startswith("/profile"):
        page.wait_for_selector(".kf-card")
        page.wait_for_selector("#profile-compare .main-svg")
    bad = [v for v in axe_violations(page) if v["impact"] in ("serious", "critical")]
    assert not bad, "\n".join(f"{v['impact']} {v['id']}: {v['help']} at {v['nodes']}" for v in bad)


def test_keyboard_reaches_the_controls_in_order_and_names_them(page, demo_server):
    """Tab goes through the skip link, the menu, the presenter switch, the language switch and the
    profile's search box, whose accessible name is its visible label plus its value."""
    page.goto(demo_server.url + "/profile?territory=0101")
    wait_for_dash(page)
    page.wait_for_selector(".kf-card")
    seen = []
    for _ in range(25):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("document.activeElement.id || document.activeElement.className"))
        if seen[-1] == "profile-search":
            break
    assert seen[0] == "skip-link"
    assert "presenter-switch" in seen and "profile-search" in seen
    assert seen.index("presenter-switch") < seen.index("profile-search")
    name = page.evaluate(
        "document.activeElement.getAttribute('aria-labelledby').split(' ')"
        ".map(id => document.getElementById(id).innerText).join(' ')"
    )
    assert name.startswith("Buscar municipio, departamento o país") and "Guatemala" in name
    # every chart region has a name for screen readers
    labels = page.eval_on_selector_all(".atalaya-graph", "els => els.map(e => e.getAttribute('aria-label'))")
    assert labels and all(labels)
