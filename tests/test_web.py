"""`kb serve` in a real browser: Debian's Chromium driven by Playwright, on a copy of the shipped notes.

One server (uvicorn in a thread, on a free port of 127.0.0.1, watching the files) and one browser
serve the whole module; every wait is for a selector, a URL or a condition, never a fixed sleep.
Screenshots of the home page, a paper note and a search, at 1280 and 390 px, go to the test's tmp folder.
"""

from __future__ import annotations

import http.client
import shutil
import socket
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest

from kb.notebook import Notebook

playwright_api = pytest.importorskip("playwright.sync_api")
uvicorn = pytest.importorskip("uvicorn")

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (apt-get install chromium)"),
]

NOTES = Path(__file__).parent.parent / "notes"
RESNET_PAPER = "papers/[7]Deep-Residual-Learning-for-Image-Recognition.md"
RESNET_CHAPTER = "ch2b/[5]ResNet.md"
LINKS_NOTE = "ch0/[99]web-test-links.md"
LINKS_BODY = """---
title: Web test links
tags: [basics]
---

Relative: [the ResNet chapter](../ch2b/[5]ResNet.md). Wiki: [[Deep Residual Learning for Image Recognition|the paper]].
Broken: [nowhere](./[98]does-not-exist.md) and [[No Such Note]].

Maths: $a^2 + b^2 = c^2$.

<script>window.__pwned = "script";</script>
<img src="missing.png" onerror="window.__pwned = 'onerror'">
<a href="javascript:window.__pwned='href'">js link</a>

:::tip 提示
An admonition with `code`.
:::
"""


def url(base: str, path: str) -> str:
    return base + "/notes/" + quote(path)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A served copy of the shipped notes: (base URL, notes folder, notebook, tmp folder)."""
    from kb.web.app import create_app

    root = tmp_path_factory.mktemp("web")
    shutil.copytree(NOTES, root / "notes")
    (root / "notes" / LINKS_NOTE).write_text(LINKS_BODY, encoding="utf-8")
    nb = Notebook.open(root / "notes", root / "index")
    nb.index()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(nb, watch=True), log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}", root / "notes", nb, root
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_home_lists_every_chapter_in_order_and_the_papers(site, page):
    base, _, nb, _ = site
    page.goto(base + "/")
    labels = page.locator(".home-chapter .chapter-label").all_inner_texts()
    expected = [c.label for c in nb.toc() if c.folder != "papers"]
    assert labels == expected
    assert labels[0].startswith("第零章") and labels[1].startswith("第一章上") and labels[-1].startswith("第-3章")
    papers = [c for c in nb.toc() if c.folder == "papers"][0]
    assert page.locator(".paper-list li").count() == len(papers.notes) > 60


def test_search_as_you_type_finds_both_resnet_notes_with_highlight(site, page):
    base = site[0]
    page.goto(base + "/")
    page.fill("#q", "残差")
    page.wait_for_selector("#results .hit")
    hrefs = page.locator("#results .hit > a").evaluate_all("els => els.map(e => decodeURIComponent(e.pathname))")
    assert "/notes/" + RESNET_PAPER in hrefs[:5]
    assert "/notes/" + RESNET_CHAPTER in hrefs[:5]
    marks = page.locator("#results mark").all_inner_texts()
    assert any("残差" in m for m in marks)


def test_typo_says_showing_results_for(site, page):
    base = site[0]
    page.goto(base + "/")
    page.fill("#q", "resnt")
    notice = page.wait_for_selector("#results .notice")
    assert notice.inner_text().lower() == "showing results for resnet"
    assert page.locator("#results .hit").count() > 0


def test_paper_page_has_mathml_highlighted_code_backlinks_and_card(site, page):
    base = site[0]
    page.goto(url(base, RESNET_PAPER))
    assert page.locator(".body math").count() > 3
    assert page.locator(".body .highlight pre span.k").count() > 0  # Pygments keywords
    assert page.locator(".backlinks li a", has_text="残差网络").count() >= 1
    card = page.locator(".paper-card").inner_text()
    assert "Kaiming He" in card and "CVPR" in card and "2016" in card and "TL;DR" in card
    assert page.locator(".paper-card a.arxiv").get_attribute("href") == "https://arxiv.org/abs/1512.03385"


def test_relative_and_wiki_links_open_the_right_note(site, page):
    base = site[0]
    page.goto(url(base, LINKS_NOTE))
    page.click("text=the ResNet chapter")
    page.wait_for_url("**/notes/ch2b/*ResNet.md")
    assert page.locator("article h1").inner_text() == "残差网络 ResNet"
    page.go_back()
    page.click("text=the paper")
    page.wait_for_url("**/notes/papers/*Deep-Residual-Learning-for-Image-Recognition.md")
    assert page.locator("article h1").inner_text() == "Deep Residual Learning for Image Recognition"


def test_broken_links_are_marked(site, page):
    base = site[0]
    page.goto(url(base, LINKS_NOTE))
    broken = page.locator(".body a.broken-link")
    assert broken.all_inner_texts() == ["nowhere", "No Such Note"]
    assert broken.first.get_attribute("href") is None


def test_raw_html_in_a_note_runs_no_script(site, page):
    base = site[0]
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url(base, LINKS_NOTE), wait_until="load")
    page.wait_for_selector(".admonition.tip")
    assert page.evaluate("window.__pwned") is None
    page.click("text=js link")
    assert page.evaluate("window.__pwned") is None
    assert page.locator(".body script").count() == 0
    assert page.locator(".body math").count() == 1
    assert not errors


def test_files_outside_the_notes_folder_are_refused(site, page):
    base, notes, _, _ = site
    host, port = base.removeprefix("http://").split(":")
    for raw in ("/files/../../etc/passwd", "/files/..%2F..%2Fetc%2Fpasswd", "/files/%2E%2E/%2E%2E/etc/passwd"):
        conn = http.client.HTTPConnection(host, int(port), timeout=5)
        conn.request("GET", raw)  # http.client sends the path as written: no dot-segment removal
        response = conn.getresponse()
        body = response.read()
        conn.close()
        assert response.status in (403, 404), raw
        assert b"root:" not in body
    response = page.request.get(base + "/files/ch1b/img/dropout.svg")
    assert response.ok and response.headers["content-type"].startswith("image/svg")
    page.goto(url(base, "ch1b/[5]dropout.md"))
    assert page.locator(".body img").first.evaluate("img => img.complete && img.naturalWidth > 0")


def test_status_control_changes_exactly_the_status_line(site, page):
    base, notes, _, _ = site
    note = "papers/[1]Gradient-Based-Learning-Applied-to-Document-Recognition.md"
    file = notes / note
    before = file.read_text(encoding="utf-8").splitlines(keepends=True)
    old = next(line for line in before if line.startswith("status:")).split(":", 1)[1].strip()
    new = "reading" if old != "reading" else "to-read"
    # Without the page's token the same request is refused and the file is left alone.
    refused = page.request.post(base + "/mark", form={"path": note, "status": new, "token": "guess"})
    assert refused.status == 403
    assert file.read_text(encoding="utf-8").splitlines(keepends=True) == before

    page.goto(url(base, note))
    page.select_option("#status", new)
    with page.expect_navigation():
        page.click(".status button")
    assert page.locator("#status").input_value() == new
    after = file.read_text(encoding="utf-8").splitlines(keepends=True)
    assert len(after) == len(before)
    changed = [(a, b) for a, b in zip(before, after) if a != b]
    assert changed == [(f"status: {old}\n", f"status: {new}\n")]


def test_editing_a_note_on_disk_updates_search_and_reloads_its_page(site, page):
    base, notes, _, _ = site
    page.goto(url(base, LINKS_NOTE))
    page.wait_for_selector("article h1")
    file = notes / LINKS_NOTE
    file.write_text(file.read_text(encoding="utf-8") + "\nA new word: quokkazebra.\n", encoding="utf-8")
    page.wait_for_selector("text=quokkazebra", timeout=15_000)  # the page reloaded itself
    with urllib.request.urlopen(base + "/api/search?q=quokkazebra", timeout=5) as response:
        import json

        hits = json.load(response)["hits"]
    assert [h["path"] for h in hits] == [LINKS_NOTE]


def test_api_note_is_the_note_view_json(site):
    base, _, nb, _ = site
    import json

    with urllib.request.urlopen(base + "/api/notes/" + quote(RESNET_PAPER), timeout=5) as response:
        data = json.load(response)
    assert data == json.loads(json.dumps(nb.show(RESNET_PAPER).to_dict()))


def test_screenshots_at_laptop_and_phone_widths(site, browser):
    base, _, _, root = site
    shots = root / "screenshots"
    shots.mkdir(exist_ok=True)
    for width in (1280, 390):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(base + "/")
        page.screenshot(path=str(shots / f"home-{width}.png"))
        page.goto(url(base, RESNET_PAPER))
        page.wait_for_selector(".body math")
        page.screenshot(path=str(shots / f"paper-{width}.png"))
        page.fill("#q", "残差")
        page.wait_for_selector("#results .hit mark")
        page.screenshot(path=str(shots / f"search-{width}.png"))
        if width == 390:  # on a phone the sidebar is behind the menu button
            assert not page.locator("#sidebar").is_visible()
            page.click("button.menu")
            assert page.locator("#sidebar").is_visible()
        context.close()
    assert len(list(shots.glob("*.png"))) == 6


def test_search_page_filters_and_works_without_javascript(site, browser):
    base = site[0]
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base + "/search?q=segmentation&kind=paper&year=2015..2017")
    hits = page.locator("ol.hits .hit")
    assert hits.count() > 0
    metas = page.locator("ol.hits .hit .muted").all_inner_texts()
    assert all(m.startswith("paper · 201") and int(m.split(" · ")[1]) in (2015, 2016, 2017) for m in metas)
    assert page.locator("select[name=kind]").input_value() == "paper"
    context.close()


def _panel_hits(page) -> list[str]:
    """The kind · year · path line of each hit in the search-as-you-type panel."""
    return [m.strip() for m in page.locator("#results .hit > .muted").all_inner_texts()]


def test_search_box_filters_narrow_the_results_and_go_into_the_url(site, page):
    base = site[0]
    page.goto(base + "/")
    page.fill("#q", "segmentation")
    page.wait_for_selector("#results .hit")
    unfiltered = _panel_hits(page)
    assert any(m.startswith("chapter") for m in unfiltered), unfiltered  # something for the filter to remove

    page.select_option("#f-kind", "paper")
    page.wait_for_function("() => [...document.querySelectorAll('#results .hit > .muted')]"
                           ".every(e => e.textContent.trim().startsWith('paper'))")
    papers = _panel_hits(page)
    assert papers and papers != unfiltered
    assert "kind=paper" in page.url and "q=segmentation" in page.url

    page.fill("#f-year", "2015")
    page.wait_for_function("() => [...document.querySelectorAll('#results .hit > .muted')]"
                           ".every(e => e.textContent.includes('· 2015 ·'))")
    in_2015 = _panel_hits(page)
    assert in_2015 and len(in_2015) < len(papers)
    assert "year=2015" in page.url

    # The URL is a link to the same filtered search: opened afresh it shows the same hits.
    linked = page.context.new_page()
    linked.goto(page.url)
    linked.wait_for_selector("#results .hit")
    assert linked.locator("#f-kind").input_value() == "paper" and linked.locator("#f-year").input_value() == "2015"
    assert _panel_hits(linked) == in_2015
    linked.close()

    # Status too, with the same answer as the library's search under the same filters.
    from kb import Filters

    page.fill("#f-year", "")
    page.select_option("#f-status", "reading")
    expected = site[2].search("segmentation", limit=8, filters=Filters(kinds=("paper",), statuses=("reading",)))
    want = [" paper · " + (f"{h.year} · " if h.year else "") + h.path for h in expected.hits]
    page.wait_for_function("want => JSON.stringify([...document.querySelectorAll('#results .hit > .muted')]"
                           ".map(e => e.textContent)) === JSON.stringify(want)", arg=want)
    assert "status=reading" in page.url and "year=" not in page.url


def test_api_search_takes_the_cli_filters_and_refuses_a_bad_year(site):
    import json

    base, _, nb, _ = site
    from kb import Filters

    with urllib.request.urlopen(base + "/api/search?q=resnet&kind=paper&author=He&year=2014..2017", timeout=5) as r:
        data = json.load(r)
    expected = nb.search("resnet", filters=Filters(kinds=("paper",), authors=("He",), year_from=2014, year_to=2017))
    assert [h["path"] for h in data["hits"]] == [h.path for h in expected.hits] and data["hits"]
    try:
        urllib.request.urlopen(base + "/api/search?q=resnet&year=soon", timeout=5)  # noqa: S310
        raise AssertionError("a bad year was accepted")
    except urllib.error.HTTPError as exc:
        assert exc.code == 400 and b"not a year" in exc.read()
