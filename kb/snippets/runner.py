"""Running snippets: run code in a subprocess, check what it printed against the header's `expect:`.

Running never goes through a shell: the code is written to a file in a fresh temporary directory
and started as `[python, file]` under `kb.snippets.supervisor`, with a scrubbed environment, a fresh
HOME and resource limits, inside bubblewrap where it works (see `run_code`). Running needs a POSIX
system; killing processes that left the snippet's session needs Linux.
"""

from __future__ import annotations

import functools
import math
import os
import shutil
import signal
import site
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass

from kb.models import Snippet
from kb.snippets.environment import last_line, obstacle
from kb.snippets.header import DEFAULT_TIMEOUT, normalise_assignment, parse_header

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
    sandboxed: bool = False  # ran inside bubblewrap: no network, read-only file system


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


# Variables passed through to a snippet; everything else in the caller's environment is dropped.
# LC_* variables pass too. TORCH_HOME lets a snippet find weights already downloaded.
PASSED_ENV = frozenset({
    "PATH", "LANG", "LANGUAGE", "TZ",
    "PYTHONPATH", "PYTHONHASHSEED", "PYTHONWARNINGS",
    "OMP_NUM_THREADS", "MKL_NUM_THREADS", "CUDA_VISIBLE_DEVICES", "TORCH_HOME",
})
MAX_FILE_SIZE = 64 * 1024 * 1024  # bytes one snippet may write to a single file
EXTRA_PROCESSES = 512  # tasks (processes and threads) one snippet may add to its user's count
# A torch snippet (8 conv layers, batch 8, 112x112, forward and backward) peaked at 1.1 GB of
# address space; the limit is the machine's memory, but never below this floor.
MIN_ADDRESS_SPACE = 4 * 1024**3
# How long after its timeout the supervisor gets to kill the snippet and report before kb kills it.
_SUPERVISOR_GRACE = 10.0
_SUPERVISOR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "supervisor.py")


def snippet_env(home: str, tmpdir: str) -> dict[str, str]:
    """The environment a snippet runs in: PASSED_ENV and LC_* from ours, a fresh HOME and TMPDIR."""
    env = {k: v for k, v in os.environ.items() if k in PASSED_ENV or k.startswith("LC_")}
    env.setdefault("PATH", os.defpath)
    env.update(
        HOME=home,
        TMPDIR=tmpdir,
        PYTHONIOENCODING="utf-8",  # we decode as UTF-8, whatever the locale says
        PYTHONDONTWRITEBYTECODE="1",
        # Packages installed with `pip install --user` stay importable under the fresh HOME.
        PYTHONUSERBASE=os.environ.get("PYTHONUSERBASE") or site.getuserbase(),
    )
    return env


def _user_tasks() -> int:
    """How many tasks (processes and threads) our user runs now; 0 where /proc cannot tell."""
    uid, count = os.getuid(), 0
    try:
        names = os.listdir("/proc")
    except OSError:
        return 0
    for name in names:
        if not name.isdigit():
            continue
        try:
            if os.stat(f"/proc/{name}").st_uid == uid:
                count += len(os.listdir(f"/proc/{name}/task"))
        except OSError:
            continue
    return count


def resource_limits(timeout: float) -> dict[int, int]:
    """The `resource` limits a snippet runs under (soft = hard), each capped by our own hard limit."""
    import resource  # noqa: PLC0415  (POSIX only)

    try:
        memory = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):
        memory = 0
    wanted = {
        resource.RLIMIT_CPU: math.ceil(timeout) + 1,
        resource.RLIMIT_AS: max(memory, MIN_ADDRESS_SPACE),
        resource.RLIMIT_FSIZE: MAX_FILE_SIZE,
        resource.RLIMIT_CORE: 0,
    }
    tasks = _user_tasks()
    if tasks and hasattr(resource, "RLIMIT_NPROC"):
        wanted[resource.RLIMIT_NPROC] = tasks + EXTRA_PROCESSES
    limits = {}
    for which, value in wanted.items():
        _, hard = resource.getrlimit(which)
        limits[which] = value if hard == resource.RLIM_INFINITY else min(value, hard)
    return limits


@functools.cache
def bwrap_available() -> str | None:
    """The path of a working bubblewrap (`bwrap`), or None: installed is not enough, it must run here."""
    path = shutil.which("bwrap")
    if path is None:
        return None
    try:
        done = subprocess.run([path, *_BWRAP_BASE, "--", "true"], stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return path if done.returncode == 0 else None


_BWRAP_BASE = ("--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
               "--unshare-net", "--unshare-pid", "--unshare-ipc", "--die-with-parent", "--new-session")


# Long on purpose: starting, reading, timing out and killing one process group is one protocol; the
# comments inside say why each step is there.
def run_code(
    code: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_output: int = 1_000_000,
    python: str = sys.executable,
    sandbox: bool = True,
) -> RunResult:
    """Run `code` as a script with `python`, contained, and collect its output.

    Containment (README, "Runnable snippets"): a fresh temporary folder as working folder, HOME and
    TMPDIR, removed afterwards; an environment reduced to `PASSED_ENV`; `resource_limits`; a
    supervisor that kills every process the snippet started when it exits or after `timeout`
    seconds, including those that left its session. Where bubblewrap runs (and `sandbox` is true)
    the snippet also has no network and sees the file system read-only except its folder.

    At most `max_output` bytes of stdout and of stderr are kept. Raises `OSError` when `python`
    cannot be started.
    """
    if max_output < 0:
        raise ValueError("max_output must not be negative")
    if not os.access(python, os.X_OK) or os.path.isdir(python):
        raise FileNotFoundError(f"no Python interpreter at {python}")
    limits = resource_limits(timeout)

    def preexec() -> None:  # in the child, between fork and exec
        import resource  # noqa: PLC0415

        for which, value in limits.items():
            resource.setrlimit(which, (value, value))

    with tempfile.TemporaryDirectory(prefix="kb-snippet-", ignore_cleanup_errors=True) as workdir:
        workdir = os.path.realpath(workdir)
        home, tmpdir = os.path.join(workdir, "home"), os.path.join(workdir, "tmp")
        os.mkdir(home)
        os.mkdir(tmpdir)
        script = os.path.join(workdir, "snippet.py")
        with open(script, "w", encoding="utf-8") as handle:
            handle.write(code)

        bwrap = bwrap_available() if sandbox else None
        status_read, status_write = os.pipe()
        command = [python, "-I", _SUPERVISOR, str(status_write), repr(float(timeout)), python, script]
        if bwrap is not None:
            command = [bwrap, *_BWRAP_BASE, "--bind", workdir, workdir, "--chdir", workdir, "--", *command]

        start = time.monotonic()
        try:
            proc = subprocess.Popen(
                command,
                cwd=workdir,
                env=snippet_env(home, tmpdir),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                pass_fds=(status_write,),
                preexec_fn=preexec,
                start_new_session=True,
            )
        except BaseException:
            os.close(status_read)
            raise
        finally:
            os.close(status_write)
        assert proc.stdout is not None and proc.stderr is not None
        out = _Capture(proc.stdout.fileno(), max_output)
        err = _Capture(proc.stderr.fileno(), max_output)
        status = _Capture(status_read, 4096)

        try:
            proc.wait(timeout + _SUPERVISOR_GRACE)
        except subprocess.TimeoutExpired:
            pass
        finally:
            # Also on KeyboardInterrupt: ask the supervisor to clean up, then make sure.
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(_SUPERVISOR_GRACE)
                except subprocess.TimeoutExpired:
                    pass
            status.thread.join(_READER_GRACE)
            report = dict(line.split(" ", 1) for line in status.text().splitlines() if " " in line)
            groups = [proc.pid] + ([int(report["pid"])] if "pid" in report and bwrap is None else [])
            for group in groups:
                try:
                    os.killpg(group, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            proc.wait()
            if not status.thread.is_alive():
                os.close(status_read)
        duration = time.monotonic() - start

        out.thread.join(_READER_GRACE)
        err.thread.join(_READER_GRACE)
        # A reader still running means a process that escaped holds the pipe. Closing the fd under
        # a blocked read could hand the number to an unrelated file, so leave it open.
        for capture, pipe in ((out, proc.stdout), (err, proc.stderr)):
            if not capture.thread.is_alive():
                pipe.close()

    if "exit" in report:
        code_text, timed_out_text = report["exit"].split()
        returncode, timed_out = int(code_text), timed_out_text == "1"
    else:  # the supervisor died without a report: killed by its own limits or by the snippet
        returncode, timed_out = (proc.returncode or -signal.SIGKILL), duration >= timeout
    return RunResult(
        returncode=returncode,
        stdout=out.text(),
        stderr=err.text(),
        duration=duration,
        timed_out=timed_out,
        truncated=out.truncated or err.truncated,
        sandboxed=bwrap is not None,
    )


def _exit_reason(returncode: int | None, stderr: str) -> str:
    last = last_line(stderr)
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
    found = obstacle(snippet, spec, python)
    if found is not None:
        if found.kind in ("not-python", "no-header"):
            return CheckResult(snippet.id, "skip", "not runnable")
        if found.kind == "bad-header":
            return CheckResult(snippet.id, "error", "bad header: " + "; ".join(found.details))
        if found.kind == "cannot-check":
            return CheckResult(snippet.id, "error", f"cannot use {python}: {found.details[0]}")
        return CheckResult(snippet.id, "skip", "needs " + ", ".join(found.details))

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


