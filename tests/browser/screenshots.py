"""Screenshots of every public page type in both languages, at desktop and phone width: ``make screenshots``.

Not part of the suite (pytest collects only ``test_*.py``): a screenshot is for a person to look at, and
this run checks nothing but that each page loads. What the pages show is asserted by the other browser
tests; the pages walked are the ones the axe test checks (``pages.py``). The images are written under
test-artifacts/screenshots/.
"""

from tests.browser.pages import page_urls

# The error pages are pages too, and are shot with the status they answer with.
STATUSES = {"bad-request": 400, "not-found": 404}


def test_screenshots_of_every_page_type(curated_site, screenshot):
    for name, language, url in page_urls(curated_site.url):
        screenshot(url, f"{name}-{language}", status=STATUSES.get(name, 200))
