"""`kb index --watch` (issue #14) as a real process: it indexes an edit as it is saved, prints a line
per update, and Ctrl-C ends it cleanly."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import write

from kb.config import Paths
from kb.notebook import Notebook


def kb_args(home: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "kb", "--notes", str(home / "notes"), "--index", str(home / "index"), *args]


def _lines(stream, into: queue.Queue) -> None:
    for line in stream:
        into.put(line)
    into.put(None)


class Watcher:
    """`kb index --watch` in a child process, its stdout read line by line."""

    def __init__(self, home: Path, *extra: str):
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(kb_args(home, "index", "--watch", "-q", *extra), stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, env=env)
        self.out: queue.Queue = queue.Queue()
        self.err: list[str] = []
        threading.Thread(target=_lines, args=(self.proc.stdout, self.out), daemon=True).start()
        self._err_q: queue.Queue = queue.Queue()
        threading.Thread(target=_lines, args=(self.proc.stderr, self._err_q), daemon=True).start()

    def line(self, timeout: float = 30) -> str:
        try:
            line = self.out.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no line from kb index --watch within {timeout}s: {self.stderr()}") from None
        assert line is not None, f"kb index --watch ended: {self.stderr()}"
        return line

    def wait_watching(self, timeout: float = 30) -> None:
        """Until the child says it is watching (on stderr)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._err_q.get(timeout=0.2)
            except queue.Empty:
                continue
            if line is None:
                raise AssertionError("kb index --watch ended before watching")
            self.err.append(line)
            if line.startswith("Watching "):  # said once the watcher is armed: no sleep needed
                return
        raise AssertionError("kb index --watch never said it was watching")

    def stderr(self) -> str:
        while True:
            try:
                line = self._err_q.get_nowait()
            except queue.Empty:
                break
            if line is not None:
                self.err.append(line)
        return "".join(self.err)

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGINT)
        code = self.proc.wait(timeout=30)
        time.sleep(0.1)  # let the reader threads drain stderr
        return code


@pytest.mark.slow
def test_watch_indexes_an_edit_and_stops_cleanly_on_ctrl_c(kb_home):
    Notebook(Paths(kb_home / "notes", kb_home / "index")).index()
    watcher = Watcher(kb_home)
    try:
        assert "0 added, 0 changed, 0 removed, 6 unchanged" in watcher.line()  # the first, ordinary run
        watcher.wait_watching()
        note = kb_home / "notes" / "valid.md"
        note.write_text(note.read_text(encoding="utf-8").replace("ResNet 引入", "ResNet 引入 zebrafish "),
                        encoding="utf-8")
        update = watcher.line()
        assert update.startswith("valid.md: 0 added, 1 changed, 0 removed")
        found = subprocess.run(kb_args(kb_home, "search", "zebrafish", "--json"), capture_output=True, text=True,
                               timeout=60)
        assert [h["path"] for h in json.loads(found.stdout)["hits"]] == ["valid.md"]
        write(kb_home / "notes", "new.md", "---\ntitle: Axolotl\n---\nA new note.\n")
        assert watcher.line().startswith("new.md: 1 added, 0 changed")
    finally:
        code = watcher.stop()
    err = watcher.stderr()
    assert code == 0, err
    assert "Traceback" not in err and err.rstrip().endswith("Stopped watching.")


@pytest.mark.slow
def test_watch_json_prints_one_object_per_update(kb_home):
    Notebook(Paths(kb_home / "notes", kb_home / "index")).index()
    watcher = Watcher(kb_home, "--json")
    try:
        first = json.loads(watcher.line())
        assert first["unchanged"] == 6 and first["notices"] == []
        watcher.wait_watching()
        (kb_home / "notes" / "hr-in-body.md").unlink()
        update = json.loads(watcher.line())
        assert update["removed"] == 1 and update["paths"] == ["hr-in-body.md"]
    finally:
        code = watcher.stop()
    assert code == 0 and "Traceback" not in watcher.stderr()


@pytest.mark.slow
def test_an_edit_saved_before_the_watcher_is_armed_is_not_missed(kb_home):
    Notebook(Paths(kb_home / "notes", kb_home / "index")).index()
    watcher = Watcher(kb_home)
    try:
        assert "6 unchanged" in watcher.line()  # the first run is over; the watcher may not be armed yet
        note = kb_home / "notes" / "valid.md"
        note.write_text(note.read_text(encoding="utf-8") + "\nquetzal\n", encoding="utf-8")
        # Either the catch-up run before "Watching" or the watcher itself indexes it: never neither.
        assert "0 added, 1 changed, 0 removed" in watcher.line()
        watcher.wait_watching()
    finally:
        code = watcher.stop()
    assert code == 0, watcher.stderr()
    found = subprocess.run(kb_args(kb_home, "search", "quetzal", "--json"), capture_output=True, text=True, timeout=60)
    assert [h["path"] for h in json.loads(found.stdout)["hits"]] == ["valid.md"]
