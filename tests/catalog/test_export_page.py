"""The exported HTML page in a real browser (headless Chromium driven by Selenium): typing in the
search box and pressing a topic filter change which entries show, and the page fits a phone's width.

Skipped, with the reason, when Chromium, its driver or Selenium is missing (``.ci/run`` installs
Chromium and chromedriver when it runs as root). The page is opened from a file:// URL: nothing
else is fetched, so the test needs no network.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.cli.main import main

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
DRIVER = shutil.which("chromedriver")
webdriver: Any = pytest.importorskip(
    "selenium.webdriver", reason="selenium is not installed (the test extra)"
)

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None,
    reason="no Chromium or chromedriver on PATH (apt-get install chromium chromium-driver)",
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1200,900"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def page(db_path: Path, tmp_path: Path) -> Path:
    out = tmp_path / "catalog.html"
    assert main(["export", "--db", str(db_path), "--format", "html", "-o", str(out)]) == 0
    return out


# One round trip for what shows: each displayed entry's name, search text and topics.
_VISIBLE = """return Array.from(document.querySelectorAll("li.entry"))
  .filter(li => li.offsetParent !== null)
  .map(li => [li.querySelector(".name").textContent, li.dataset.text, li.dataset.topics.split(" ")]);"""


def visible(driver: Any) -> list[list[Any]]:
    return driver.execute_script(_VISIBLE)


def shown(driver: Any) -> int:
    return int(driver.find_element("id", "shown").text)


def test_search_and_topic_filters_in_a_browser(browser, page, tmp_path):
    browser.get(page.as_uri())
    assert browser.title == "NLP PTM(pre-training model)"
    assert len(visible(browser)) == shown(browser) == 153

    box = browser.find_element("id", "q")
    box.send_keys("wav2vec")
    rows = visible(browser)
    names = [name for name, _, _ in rows]
    assert "Wav2Vec2" in names and "BERT" not in names
    assert len(names) == shown(browser) < 10
    assert all("wav2vec" in text for _, text, _ in rows)
    box.send_keys(" nomatchatall")
    assert visible(browser) == [] and browser.find_element("id", "none").is_displayed()
    box.clear()
    box.send_keys(" ")  # an input event with no words: everything again
    assert len(visible(browser)) == 153

    speech = browser.find_element("css selector", 'button.topic[data-topic="speech"]')
    speech.click()
    assert speech.get_attribute("aria-pressed") == "true"
    rows = visible(browser)
    assert 0 < len(rows) == shown(browser) < 153
    assert all("speech" in topics for _, _, topics in rows)
    # A section with nothing left is hidden (no survey is about speech alone).
    headings = browser.execute_script(
        'return Array.from(document.querySelectorAll("section h2")).filter(h => h.offsetParent !== null)'
        ".map(h => h.textContent)"
    )
    assert "PTM" in headings and "Survey" not in headings
    box.send_keys("hubert")
    assert [name for name, _, _ in visible(browser)] == ["Hubert"]
    box.clear()
    box.send_keys(" ")
    speech.click()  # pressed again: off
    assert len(visible(browser)) == 153
    assert browser.save_screenshot(str(tmp_path / "page.png"))
    assert (tmp_path / "page.png").stat().st_size > 10_000


def test_the_page_fits_a_phone(browser, page):
    browser.set_window_size(390, 844)  # the last test: the module's browser keeps this size
    browser.get(page.as_uri())
    inner = browser.execute_script("return window.innerWidth")
    assert browser.execute_script("return document.documentElement.scrollWidth") <= inner
    box = browser.find_element("id", "q")
    assert box.is_displayed() and box.size["width"] <= inner
