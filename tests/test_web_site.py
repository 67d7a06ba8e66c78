"""`kb build-site`: the shipped notes as a static site (every page, every relative link resolving, maths
as MathML, no script from notes), the folder rules (refuse, --force keeps user files, a rebuild drops
stale pages, an error leaves nothing), and the built site opened from file:// in Chromium."""

from __future__ import annotations

import json
import os
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner

from kb.cli import cli
from kb.notebook import Notebook
from kb.web import site as site_module
from kb.web.urls import note_file, tag_file
from tests.conftest import write

NOTES = Path(__file__).parent.parent / "notes"
RESNET_PAPER = "papers/[7]Deep-Residual-Learning-for-Image-Recognition.md"
HOSTILE = "ch0/[99]site-test.md"
HOSTILE_BODY = """---
title: Site test
tags: [basics]
---

See [the ResNet chapter](../ch2b/[5]ResNet.md) and [[Deep Residual Learning for Image Recognition|the paper]].
Maths: $a^2 + b^2 = c^2$. An image from outside: ![x](../../outside.png) and ![y](img/leak.png).

<p align="center"><img src="../ch1b/img/dropout.svg" width="50%"></p>
Raw HTML from outside: <img src='../../outside.png'>

<script>window.__pwned = "script";</script>
<img src="https://example.invalid/x.png" onerror="window.__pwned = 'onerror'">
"""


class Links(HTMLParser):
    """Every href/src/action of a page, and its script tags."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.scripts: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts.append(attrs)
        self.links += [v for k, v in attrs.items() if k in ("href", "src", "action") and v]


def parse(page: Path) -> Links:
    parser = Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def cli_run(notes: Path, *args: str):
    return CliRunner().invoke(cli, ["--notes", str(notes), "--index", str(notes.parent / "index"), *args])


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The shipped notes plus one hostile note, built into site/: (site folder, notebook)."""
    root = tmp_path_factory.mktemp("site")
    shutil.copytree(NOTES, root / "notes")
    write(root / "notes", HOSTILE, HOSTILE_BODY)
    write(root, "outside.png", b"not for the site")
    (root / "notes" / "ch0" / "img").mkdir(exist_ok=True)
    os.symlink(root / "outside.png", root / "notes" / "ch0" / "img" / "leak.png")
    result = cli_run(root / "notes", "build-site", str(root / "site"))
    assert result.exit_code == 0, result.output + result.stderr
    assert result.stdout.startswith("Wrote ") and "pages" in result.stdout
    return root / "site", Notebook.open(root / "notes", root / "index")


@pytest.mark.slow
def test_every_page_exists(built):
    site, nb = built
    for fixed in ("index.html", "toc.html", "tags.html", "reading-list.html", "problems.html",
                  "static/app.css", "static/app.js", "static/highlight.css", "exports/reading-list.bibtex"):
        assert (site / fixed).is_file(), fixed
    notes = nb.notes()
    assert len(notes) > 100
    for note in notes:
        assert (site / note_file(str(note.path))).is_file(), note.path
    for tag in nb.tags():
        assert (site / tag_file(tag.tag)).is_file(), tag.tag
    written = json.loads((site / ".kb-site.json").read_text(encoding="utf-8"))["files"]
    assert sorted(written) == sorted(p.relative_to(site).as_posix() for p in site.rglob("*")
                                     if p.is_file() and p.name != ".kb-site.json")


@pytest.mark.slow
def test_every_relative_link_resolves_to_a_file_in_the_site(built):
    site, _ = built
    checked = 0
    for page in site.rglob("*.html"):
        if page.parent.name == "exports":
            continue  # the self-contained export links only to arXiv
        for link in parse(page).links:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https", "mailto") or link.startswith("#"):
                continue
            assert not parts.scheme and not link.startswith("/"), f"{page}: {link} is not relative"
            target = (page.parent / unquote(parts.path)).resolve()
            assert target.is_relative_to(site.resolve()) and target.is_file(), f"{page.relative_to(site)}: {link}"
            checked += 1
    assert checked > 10_000  # the sidebar alone links every note from every page


@pytest.mark.slow
def test_note_pages_have_mathml_highlighted_code_and_no_script_from_notes(built):
    site, _ = built
    resnet = (site / note_file(RESNET_PAPER)).read_text(encoding="utf-8")
    assert resnet.count("<math") > 3 and '<span class="k">' in resnet
    assert 'class="paper-card"' in resnet and "Kaiming He" in resnet and 'class="backlinks"' in resnet
    assert 'name="token"' not in resnet and 'action="/mark"' not in resnet and 'id="q"' not in resnet
    for page in site.rglob("*.html"):
        if page.parent.name == "exports":
            continue
        scripts = parse(page).scripts
        assert [s.get("src", "").rsplit("/", 1)[-1] for s in scripts] == ["app.js"], page
    hostile = (site / note_file(HOSTILE)).read_text(encoding="utf-8")
    assert "__pwned" not in hostile and "onerror" not in hostile and "<math" in hostile


@pytest.mark.slow
def test_only_files_inside_the_notes_folder_are_copied(built):
    site, _ = built
    assert (site / "files" / "ch1b" / "img" / "dropout.svg").is_file()  # an image a chapter note shows
    assert not (site / "files" / "ch0" / "img" / "leak.png").exists()  # a symlink to a file outside
    assert not any(p.name == "outside.png" for p in site.rglob("*"))
    assert b"not for the site" not in b"".join(p.read_bytes() for p in site.rglob("*") if p.is_file())


def small(tmp_path: Path) -> Path:
    notes = tmp_path / "notes"
    write(notes, "ch1/[1]one.md", "---\ntitle: One\ntags: [a]\n---\n\nSee [two](./[2]two.md).\n")
    write(notes, "ch1/[2]two.md", "---\ntitle: Two\n---\n\nBack to [[One]].\n")
    return notes


def test_a_folder_with_other_files_is_refused_unless_force_and_its_files_are_kept(tmp_path):
    notes = small(tmp_path)
    dest = tmp_path / "public"
    write(dest, "index.html", "mine")
    write(dest, "CNAME", "example.org")
    refused = cli_run(notes, "build-site", str(dest))
    assert refused.exit_code == 1
    assert refused.stderr.startswith("Error: ") and "was not made by kb build-site" in refused.stderr
    assert "--force" in refused.stderr and "Traceback" not in refused.stderr
    assert sorted(p.name for p in dest.iterdir()) == ["CNAME", "index.html"]
    assert (dest / "index.html").read_text() == "mine"

    forced = cli_run(notes, "build-site", str(dest), "--force")
    assert forced.exit_code == 0, forced.stderr
    assert (dest / "CNAME").read_text() == "example.org"  # a user file is never deleted
    assert "<html" in (dest / "index.html").read_text()  # a file of the same name is replaced (--force)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no build folder left behind


def test_a_rebuild_replaces_the_earlier_site_and_drops_pages_of_removed_notes(tmp_path):
    notes = small(tmp_path)
    dest = tmp_path / "site"
    assert cli_run(notes, "build-site", str(dest)).exit_code == 0
    two = dest / note_file("ch1/[2]two.md")
    assert two.is_file()
    (notes / "ch1" / "[2]two.md").unlink()
    write(dest, "notes/mine.txt", "a file the user put in the site")
    again = cli_run(notes, "build-site", str(dest))  # its own folder: no --force needed
    assert again.exit_code == 0, again.stderr
    assert not two.exists() and (dest / note_file("ch1/[1]one.md")).is_file()
    assert (dest / "notes" / "mine.txt").read_text() == "a file the user put in the site"
    one = (dest / note_file("ch1/[1]one.md")).read_text()
    assert 'class="broken-link"' in one  # the link to the removed note is marked, not dangling


def test_an_empty_folder_is_used_and_json_says_what_was_written(tmp_path):
    notes = small(tmp_path)
    dest = tmp_path / "empty"
    dest.mkdir()
    result = cli_run(notes, "build-site", str(dest), "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["folder"] == str(dest.resolve()) and data["pages"] == 2 + 6 and data["files"] == 0
    assert (dest / "index.html").is_file()


def test_an_error_while_building_leaves_no_half_site(tmp_path, monkeypatch):
    notes = small(tmp_path)
    dest = tmp_path / "site"
    assert cli_run(notes, "build-site", str(dest)).exit_code == 0
    before = {p.relative_to(dest): p.read_bytes() for p in dest.rglob("*") if p.is_file()}
    write(notes, "ch1/[3]three.md", "---\ntitle: Three\n---\n\nNew.\n")
    calls = []

    def failing_render(note, **kwargs):
        calls.append(note.path)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(note, **kwargs)

    real = site_module.render_note
    monkeypatch.setattr(site_module, "render_note", failing_render)
    result = cli_run(notes, "build-site", str(dest))
    assert result.exit_code == 1 and "No space left on device" in result.stderr and "nothing was changed" in result.stderr
    assert {p.relative_to(dest): p.read_bytes() for p in dest.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index", "notes", "site"]  # no build folder left


def test_a_file_as_destination_is_refused(tmp_path):
    notes = small(tmp_path)
    write(tmp_path, "site", "a file")
    result = cli_run(notes, "build-site", str(tmp_path / "site"))
    assert result.exit_code == 2 and "is a file" in result.stderr  # click refuses it as a usage error
    assert (tmp_path / "site").read_text() == "a file"


@pytest.mark.slow
def test_the_built_site_works_from_file_urls_in_chromium(built):
    playwright_api = pytest.importorskip("playwright.sync_api")
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("Debian's chromium is not installed")
    site, _ = built
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.set_default_timeout(10_000)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((site / "index.html").as_uri())
        assert page.locator(".home-chapter").count() > 5
        page.click(".paper-list a:has-text('Deep Residual Learning for Image Recognition')")
        page.wait_for_url("file://**/notes/papers/*Deep-Residual-Learning-for-Image-Recognition.md.html")
        assert page.locator("article h1").inner_text() == "Deep Residual Learning for Image Recognition"
        assert page.locator(".body math").count() > 3
        assert page.locator(".paper-card .status").inner_text().startswith("Status")
        page.click(".backlinks li a:has-text('残差网络')")  # on to a chapter note, still from disk
        page.wait_for_url("file://**/notes/ch2b/*.html")
        assert page.locator(".body math").count() > 0
        page.click("nav.links a:has-text('Tags')")
        page.wait_for_url("file://**/tags.html")
        assert page.locator(".tag-cloud a").count() > 10
        assert not errors
        browser.close()
