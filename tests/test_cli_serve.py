"""`kb serve --open`: the browser is started once the server listens, with the server's address.

A real `kb serve` process; `BROWSER` names a small script (Python's `webbrowser` runs it with the
URL) that fetches the URL at once and records what it got, so the test sees both the address given
and that the server was already answering when the browser was started.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

RECORDER = """#!{python}
import json, os, sys, urllib.request
url = sys.argv[1]
try:
    with urllib.request.urlopen(url, timeout=10) as r:
        answer = [r.status, r.read().decode("utf-8")[:2000]]
except OSError as exc:
    answer = [None, str(exc)]
with open({record!r} + ".part", "w", encoding="utf-8") as f:
    json.dump({{"url": url, "status": answer[0], "body": answer[1]}}, f)
os.replace({record!r} + ".part", {record!r})  # the test reads it whole or not at all
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_open_starts_the_browser_on_the_listening_server(kb_home: Path, tmp_path: Path):
    record = tmp_path / "opened.json"
    browser = tmp_path / "browser.py"
    browser.write_text(RECORDER.format(python=sys.executable, record=str(record)), encoding="utf-8")
    browser.chmod(0o755)
    port = _free_port()
    env = {**os.environ, "BROWSER": str(browser)}
    server = subprocess.Popen(
        [sys.executable, "-m", "kb", "--notes", str(kb_home / "notes"), "--index", str(kb_home / "index"),
         "serve", "--open", "--port", str(port), "--no-watch"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not record.exists():
            assert server.poll() is None, server.communicate()[1]
            assert time.monotonic() < deadline, "kb serve --open started no browser within 60 s"
            time.sleep(0.1)
        opened = json.loads(record.read_text(encoding="utf-8"))
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
    assert opened["url"] == f"http://127.0.0.1:{port}/"
    assert opened["status"] == 200 and "<html" in opened["body"]  # it was listening when the browser came
    assert f"at http://127.0.0.1:{port}/" in err

