"""Every public page type, in both languages, has no axe-core violation of any impact (issue 15).

axe-core is vendored under tests/browser/vendor/axe-core/ (MPL-2.0, its licence beside it) and put into
each page from the test by Playwright, never loaded from a CDN; the site's CSP stays as strict as ever.
"""

from pathlib import Path

import pytest

from tests.browser.pages import LANGUAGES, PAGE_TYPES

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def axe_violations(page) -> list[dict]:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(
        """async () => {
            const results = await axe.run(document, {resultTypes: ["violations"]});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + ": " + n.failureSummary),
            }));
        }"""
    )


@pytest.mark.parametrize("language", list(LANGUAGES))
@pytest.mark.parametrize("name", [name for name, _path in PAGE_TYPES])
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_every_public_page_type_has_no_axe_violations(curated_site, browser, name, language, viewport):
    path = dict(PAGE_TYPES)[name]()
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    page = context.new_page()
    page.goto(curated_site.url + LANGUAGES[language] + path)

    violations = axe_violations(page)
    context.close()
    assert violations == [], "\n".join(f"{v['impact']} {v['id']}: {v['help']} {v['nodes']}" for v in violations)
