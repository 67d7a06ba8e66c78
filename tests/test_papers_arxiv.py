"""kb.papers.arxiv: the one arXiv id grammar, and the API client against a real local HTTP server."""

from __future__ import annotations

import datetime
import http.server
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kb.errors import ArxivNotFound, ArxivUnavailable, InvalidArxivId
from kb.models import PaperMeta
from kb.papers.arxiv import fetch_arxiv, find_arxiv_id, id_from_url, parse_arxiv_id

TODAY = datetime.date(2026, 11, 26)
ROOT = Path(__file__).resolve().parent.parent


def test_id_from_url_and_find_arxiv_id() -> None:
    assert id_from_url("https://arxiv.org/abs/1512.03385v3") == "1512.03385"
    assert id_from_url("https://arxiv.org/pdf/2101.03697v2.pdf") == "2101.03697"
    assert id_from_url("http://arxiv.org/abs/math.GT/0309136") == "math/0309136"
    assert id_from_url("https://example.org/abs/1512.03385") is None
    assert id_from_url("https://arxiv.org/abs/1513.03385") is None  # no 13th month
    assert find_arxiv_id("arXiv preprint arXiv:1512.03385") == "1512.03385"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1512.03385", "1512.03385"),
        ("2101.03697v2", "2101.03697"),
        ("0704.0001", "0704.0001"),
        ("math/0501001", "math/0501001"),
        ("hep-th/9901001v3", "hep-th/9901001"),
        ("math.GT/0309136", "math/0309136"),
        ("arXiv:1512.03385", "1512.03385"),
        ("arxiv: 1706.05587v1", "1706.05587"),
        ("https://arxiv.org/abs/1512.03385", "1512.03385"),
        ("https://arxiv.org/abs/1512.03385v3", "1512.03385"),
        ("http://arxiv.org/pdf/2101.03697v2.pdf", "2101.03697"),
        ("https://arxiv.org/pdf/2101.03697", "2101.03697"),
        ("arxiv.org/pdf/2101.03697v2", "2101.03697"),
        ("https://export.arxiv.org/abs/hep-th/9901001v2", "hep-th/9901001"),
        ("https://arxiv.org/abs/1512.03385?context=cs#x", "1512.03385"),
        ("  1512.03385\n", "1512.03385"),
        ("10.48550/arXiv.1512.03385", "1512.03385"),
        ("https://doi.org/10.48550/arXiv.2010.11929", "2010.11929"),
        ("1513.03385", None),  # month 13
        ("0612.1234", None),  # before the new scheme
        ("1512.0338", None),  # 4-digit numbers ended in 2014
        ("1412.12345", None),
        ("https://example.com/abs/1512.03385", None),
        ("Deep Residual Learning", None),
        ("", None),
    ],
)
def test_parse_arxiv_id(text: str, expected: str | None) -> None:
    assert parse_arxiv_id(text) == expected


# --- the API client ---------------------------------------------------------------------------------

ATOM = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
  <title>arXiv Query</title>
  <entry>
    <id>http://arxiv.org/abs/1512.03385v1</id>
    <published>2015-12-10T19:51:55Z</published>
    <title>Deep Residual Learning for Image
      Recognition</title>
    <summary>  Deeper neural networks are
  more difficult to train.</summary>
    <author><name>Kaiming He</name></author>
    <author><name>Xiangyu Zhang</name></author>
    <arxiv:doi>10.1109/CVPR.2016.90</arxiv:doi>
    <arxiv:journal_ref>CVPR 2016</arxiv:journal_ref>
  </entry>
</feed>
"""
ATOM_ERROR = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <entry>
    <id>http://arxiv.org/api/errors#incorrect_id_format_for_1512.99999</id>
    <title>Error</title>
    <summary>incorrect id format for 1512.99999</summary>
  </entry>
</feed>
"""
ATOM_EMPTY = '<feed xmlns="http://www.w3.org/2005/Atom"><title>arXiv Query</title></feed>'


@pytest.fixture
def arxiv_server() -> Iterator[tuple[str, dict[str, object]]]:
    """A real local HTTP server answering like the arXiv API; set `state["body"]`/`["status"]`."""
    state: dict[str, object] = {"body": ATOM, "status": 200, "paths": []}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            state["paths"].append(self.path)  # type: ignore[union-attr]
            data = str(state["body"]).encode("utf-8")
            self.send_response(int(state["status"]))  # type: ignore[arg-type]
            self.send_header("Content-Type", "application/atom+xml")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/query", state
    finally:
        server.shutdown()
        server.server_close()


def test_fetch_arxiv_reads_the_atom_feed(arxiv_server) -> None:
    url, state = arxiv_server
    fields = fetch_arxiv("https://arxiv.org/abs/1512.03385v2", base_url=url, timeout=5)
    assert fields == PaperMeta(
        title="Deep Residual Learning for Image Recognition",
        authors=("Kaiming He", "Xiangyu Zhang"),
        year=2015,
        venue="CVPR 2016",
        arxiv="1512.03385",
        doi="10.1109/CVPR.2016.90",
        url="https://arxiv.org/abs/1512.03385",
        abstract="Deeper neural networks are more difficult to train.",
    )
    assert "id_list=1512.03385" in state["paths"][0]  # type: ignore[index]


@pytest.mark.parametrize("body", [ATOM_ERROR, ATOM_EMPTY])
def test_fetch_arxiv_unknown_paper(arxiv_server, body: str) -> None:
    url, state = arxiv_server
    state["body"] = body
    with pytest.raises(ArxivNotFound):
        fetch_arxiv("1512.99999", base_url=url)


@pytest.mark.parametrize(("status", "body"), [(503, "busy"), (200, "<html>not atom")])
def test_fetch_arxiv_bad_answers(arxiv_server, status: int, body: str) -> None:
    url, state = arxiv_server
    state["status"], state["body"] = status, body
    with pytest.raises(ArxivUnavailable, match="could not reach arXiv"):
        fetch_arxiv("1512.03385", base_url=url)


def test_fetch_arxiv_offline_fails_fast() -> None:
    start = time.monotonic()
    with pytest.raises(ArxivUnavailable) as info:
        fetch_arxiv("1512.03385", base_url="http://127.0.0.1:9/api/query", timeout=1.0)
    assert time.monotonic() - start < 2.0
    message = str(info.value)
    assert message.startswith("could not reach arXiv for 1512.03385 (")
    assert "creating the note from what was given" in message
    assert info.value.hint


def test_fetch_arxiv_times_out_on_a_silent_server() -> None:
    # A listening socket that never answers: the connection succeeds, the read times out.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        start = time.monotonic()
        with pytest.raises(ArxivUnavailable, match="timed out"):
            fetch_arxiv("1512.03385", base_url=f"http://127.0.0.1:{silent.getsockname()[1]}/", timeout=0.3)
        assert time.monotonic() - start < 2.0


def test_fetch_arxiv_rejects_a_non_id_before_any_network() -> None:
    with pytest.raises(InvalidArxivId):
        fetch_arxiv("not an id", base_url="http://127.0.0.1:9/")


# --- fields ------------------------------------------------------------------------------------------


