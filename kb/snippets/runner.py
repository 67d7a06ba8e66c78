"""Running snippets: run code in a subprocess, check what it printed against the header's `expect:`.

Running never goes through a shell: the code is
written to a file in a fresh temporary directory and started as `[python, file]` in a new session,
so a timeout can kill everything the snippet spawned. Running therefore needs a POSIX system.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import math
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass

from kb.errors import KbError
from kb.models import Snippet
from kb.snippets.header import DEFAULT_TIMEOUT, is_runnable, normalise_assignment, parse_header


_READ_CHUNK = 64 * 1024
# How long to wait for the reader threads once the process group is dead; they only outlive it
# when a grandchild escaped into its own session and still holds the pipes.
_READER_GRACE = 2.0


@dataclass(frozen=True, slots=True)
class RunResult:
    """The outcome of running code once in a subprocess."""

    returncode: int | None  # None only if the process could not be reaped; negative = killed by signal
    stdout: str
    stderr: str
    duration: float  # seconds, wall clock
    timed_out: bool
    truncated: bool  # stdout or stderr went over `max_output` bytes and the rest was discarded


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The verdict on one snippet: pass, fail, skip (cannot be run here) or error (cannot be checked)."""

    snippet_id: str
    status: str  # "pass" | "fail" | "skip" | "error"
    reason: str = ""
    mismatches: tuple[str, ...] = ()
    duration: float = 0.0
    output: str = ""  # stdout, then stderr


class _Capture:
    """Reads one pipe to its end in a thread, keeping the first `limit` bytes.

    The rest is read and thrown away rather than left in the pipe: a child blocked on a full pipe
    would never exit and every run would end as a timeout.
    """

    def __init__(self, fd: int, limit: int):
        self.fd = fd
        self.limit = limit
        self.data = bytearray()
        self.truncated = False
        self.thread = threading.Thread(target=self._drain, daemon=True)
        self.thread.start()

    def _drain(self) -> None:
        while chunk := os.read(self.fd, _READ_CHUNK):
            room = self.limit - len(self.data)
            if room > 0:
                self.data += chunk[:room]
            if len(chunk) > room:
                self.truncated = True

    def text(self) -> str:
        return bytes(self.data).decode("utf-8", errors="replace")


def _wait_without_reaping(pid: int, deadline: float) -> bool:
    """Wait until `pid` exits or `deadline` passes; return False on timeout.

    The child is left unreaped (WNOWAIT) so its pid, which is also the id of its process group,
    cannot be reused before we kill the group.
    """
    delay = 0.001
    while True:
        if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        time.sleep(min(delay, remaining))
        delay = min(delay * 2, 0.05)


def run_code(
    code: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_output: int = 1_000_000,
    python: str = sys.executable,
) -> RunResult:
    """Run `code` as a script with `python` in a fresh temporary directory and collect its output.

    At most `max_output` bytes of stdout and of stderr are kept. When `timeout` seconds pass, the
    snippet's whole process group is killed. Processes the snippet left behind are killed too when
    it exits normally. Raises `OSError` when `python` cannot be started.
    """
    if max_output < 0:
        raise ValueError("max_output must not be negative")
    env = dict(os.environ)
    # We decode as UTF-8, so ask the child to encode that way whatever the locale says.
    env["PYTHONIOENCODING"] = "utf-8"

    with tempfile.TemporaryDirectory(prefix="kb-snippet-", ignore_cleanup_errors=True) as workdir:
        script = os.path.join(workdir, "snippet.py")
        with open(script, "w", encoding="utf-8") as handle:
            handle.write(code)

        start = time.monotonic()
        proc = subprocess.Popen(
            [python, script],
            cwd=workdir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group, so one killpg reaches its children
        )
        assert proc.stdout is not None and proc.stderr is not None
        out = _Capture(proc.stdout.fileno(), max_output)
        err = _Capture(proc.stderr.fileno(), max_output)

        exited = False
        try:
            exited = _wait_without_reaping(proc.pid, start + timeout)
        finally:
            # Also on KeyboardInterrupt: nothing the snippet started may outlive the run.
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                # Gone already; macOS answers EPERM for a group whose only member is a zombie.
                pass
            returncode = proc.wait()
        duration = time.monotonic() - start

        out.thread.join(_READER_GRACE)
        err.thread.join(_READER_GRACE)
        # A reader still running means a process that left the group holds the pipe. Closing the
        # fd under a blocked read could hand the number to an unrelated file, so leave it open.
        for capture, pipe in ((out, proc.stdout), (err, proc.stderr)):
            if not capture.thread.is_alive():
                pipe.close()

    return RunResult(
        returncode=returncode,
        stdout=out.text(),
        stderr=err.text(),
        duration=duration,
        timed_out=not exited,
        truncated=out.truncated or err.truncated,
    )


def missing_modules(modules: tuple[str, ...], python: str) -> list[str]:
    """The modules `python` cannot import. Raises `OSError`/`KbError` when it cannot be asked."""
    # Only the top-level package is looked up: find_spec("a.b") imports `a`, and importing torch
    # just to decide whether to skip would cost seconds per snippet.
    tops = list(dict.fromkeys(name.split(".")[0] for name in modules))
    if not tops:
        return []
    if python == sys.executable:
        return [name for name in tops if importlib.util.find_spec(name) is None]
    probe = (
        "import importlib.util, sys\n"
        "print(','.join(n for n in sys.argv[1:] if importlib.util.find_spec(n) is None))\n"
    )
    done = subprocess.run(
        [python, "-c", probe, *tops],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tempfile.gettempdir(),  # keep the caller's folder off the probe's sys.path
    )
    if done.returncode != 0:
        raise KbError(f"{python} could not check modules: {_last_line(done.stderr) or done.returncode}")
    return [name for name in done.stdout.strip().split(",") if name]


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _exit_reason(returncode: int | None, stderr: str) -> str:
    last = _last_line(stderr)
    if last:
        return last
    if returncode is not None and returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exited with code {returncode}"


def _mismatches(expects: tuple[tuple[str, str], ...], stdout: str, truncated: bool) -> list[str]:
    printed: dict[str, list[str]] = {}
    for line in stdout.splitlines():
        normalised = normalise_assignment(line)
        if normalised is not None:
            name, _, value = normalised.partition(" = ")
            printed.setdefault(name, []).append(value)

    problems = []
    for name, value in expects:
        got = printed.get(name, [])
        if value in got:
            continue
        expected = f"expected {name} = {value}"
        if got:
            shown = ", ".join(f"{name} = {v}" for v in dict.fromkeys(got))
            problems.append(f"{expected}, got {shown}")
        else:
            problems.append(f"{expected}, not printed" + (" (output was truncated)" if truncated else ""))
    return problems


def check_snippet(
    snippet: Snippet,
    *,
    timeout: float | None = None,
    python: str = sys.executable,
) -> CheckResult:
    """Run `snippet` if it is runnable here and compare what it printed with its `expect:` lines.

    `timeout` overrides the header's `timeout:`; without either, DEFAULT_TIMEOUT applies.
    Status is "skip" when the snippet is not runnable or a required module is missing, "error"
    when its header is malformed or `python` cannot be started, else "pass" or "fail".
    """
    spec = parse_header(snippet.code)
    if not is_runnable(snippet):
        return CheckResult(snippet.id, "skip", "not runnable")
    if spec.errors:
        return CheckResult(snippet.id, "error", "bad header: " + "; ".join(spec.errors))

    try:
        missing = missing_modules(spec.requires, python)
    except (OSError, subprocess.TimeoutExpired, KbError) as exc:
        return CheckResult(snippet.id, "error", f"cannot use {python}: {exc}")
    if missing:
        return CheckResult(snippet.id, "skip", "needs " + ", ".join(missing))

    limit = timeout if timeout is not None else (spec.timeout or DEFAULT_TIMEOUT)
    try:
        run = run_code(snippet.code, timeout=limit, python=python)
    except OSError as exc:
        return CheckResult(snippet.id, "error", f"cannot run {python}: {exc}")

    output = run.stdout + run.stderr
    if run.timed_out:
        return CheckResult(snippet.id, "fail", f"timed out after {limit:g}s", (), run.duration, output)
    if run.returncode != 0:
        reason = _exit_reason(run.returncode, run.stderr)
        return CheckResult(snippet.id, "fail", reason, (), run.duration, output)

    mismatches = tuple(_mismatches(spec.expects, run.stdout, run.truncated))
    if mismatches:
        reason = mismatches[0] if len(mismatches) == 1 else f"{len(mismatches)} expectations did not hold"
        return CheckResult(snippet.id, "fail", reason, mismatches, run.duration, output)
    return CheckResult(snippet.id, "pass", "", (), run.duration, output)


def runtime_fingerprint(python: str = sys.executable) -> str:
    """Describe the interpreter and torch version, e.g. "python 3.11.7; torch 2.13.0".

    A snippet that passed under the same fingerprint with the same checksum need not run again.
    torch is looked up in package metadata, never imported. Raises `KbError` when a foreign
    `python` cannot report.
    """
    if python == sys.executable:
        try:
            torch = f"torch {importlib.metadata.version('torch')}"
        except importlib.metadata.PackageNotFoundError:
            torch = "torch absent"
        return f"python {platform.python_version()}; {torch}"

    probe = (
        "import importlib.metadata as m, platform\n"
        "try:\n"
        "    t = 'torch ' + m.version('torch')\n"
        "except m.PackageNotFoundError:\n"
        "    t = 'torch absent'\n"
        "print(f'python {platform.python_version()}; {t}')\n"
    )
    try:
        done = subprocess.run(
            [python, "-c", probe],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
            cwd=tempfile.gettempdir(),
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise KbError(f"cannot run {python}: {exc}", hint="check that this Python interpreter runs") from exc
    if done.returncode != 0:
        raise KbError(f"{python} failed: {_last_line(done.stderr)}", hint="check that this Python interpreter runs")
    return done.stdout.strip()


def code_checksum(code: str) -> str:
    """The sha256 hex digest of `code` (UTF-8)."""
    return hashlib.sha256(code.encode("utf-8")).hexdigest()
