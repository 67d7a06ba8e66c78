"""Tests for kb.snippets (header and runner): header parsing on strings, then real subprocess runs (no mocks)."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import venv
from pathlib import Path

import pytest

from kb.models import Snippet
from kb.snippets.environment import code_checksum, missing_modules, runtime_fingerprint
from kb.snippets.header import SnippetSpec, is_runnable, parse_header
from kb.snippets.runner import PASSED_ENV, bwrap_available, check_snippet, resource_limits, run_code

posix_only = pytest.mark.skipif(os.name != "posix", reason="process groups are POSIX")


def make_snippet(code: str, language: str = "python", source: str | None = None) -> Snippet:
    return Snippet(note_path="ch1/[1]note.md", index=0, language=language, start_line=1, code=code, source=source)


def is_alive(pid: int) -> bool:
    """True while `pid` runs; a zombie counts as dead because init may be slow to reap it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    except OSError:
        # No /proc (macOS): signal 0 only tells whether the pid exists.
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    state = stat.rsplit(")", 1)[1].split()[0]
    return state not in ("Z", "X")


def wait_dead(pid: int, within: float = 3.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not is_alive(pid):
            return True
        time.sleep(0.02)
    return not is_alive(pid)


# --- parse_header -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        pytest.param(
            "# kb-snippet: ResNet-18\n# requires: torch, numpy\n# expect: params = 11689512\n"
            "# expect: output_shape = (1, 1000)\n# timeout: 30\n# source: He et al. 2016\nimport torch\n",
            SnippetSpec(
                title="ResNet-18",
                requires=("torch", "numpy"),
                requires_declared=True,
                expects=(("params", "11689512"), ("output_shape", "(1, 1000)")),
                timeout=30.0,
                source="He et al. 2016",
            ),
            id="full",
        ),
        pytest.param(
            "# expect:   params=5  \n#expect: shape   =   (1, 2)\n",
            SnippetSpec(expects=(("params", "5"), ("shape", "(1, 2)"))),
            id="expect-whitespace-normalised",
        ),
        pytest.param(
            "# expect: ok = a == b\n",
            SnippetSpec(expects=(("ok", "a == b"),)),
            id="expect-splits-on-first-equals",
        ),
        pytest.param(
            "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n\n# requires: torch\n\n# a plain remark\n"
            "# expect: x = 1\n",
            SnippetSpec(requires=("torch",), requires_declared=True, expects=(("x", "1"),)),
            id="blank-lines-and-other-comments",
        ),
        pytest.param(
            "# requires: torch\nimport torch\n# expect: x = 1\n",
            SnippetSpec(requires=("torch",), requires_declared=True),
            id="stops-at-first-code-line",
        ),
        pytest.param(
            "# Requires: torch.nn, torch\n# requires: torch\n",
            SnippetSpec(requires=("torch.nn", "torch"), requires_declared=True),
            id="keys-case-insensitive-and-deduplicated",
        ),
        pytest.param("# requires:\n", SnippetSpec(requires_declared=True), id="empty-requires"),
        pytest.param("import torch\n", SnippetSpec(), id="no-header"),
        pytest.param("", SnippetSpec(), id="empty"),
        pytest.param(
            "# timeout: abc\n",
            SnippetSpec(errors=("line 1: timeout: 'abc' is not a number of seconds",)),
            id="timeout-not-a-number",
        ),
        pytest.param(
            "# timeout: -5\n",
            SnippetSpec(errors=("line 1: timeout: '-5' must be a positive number of seconds",)),
            id="timeout-negative",
        ),
        pytest.param(
            "# timeout: 10\n# timeout: 20\n",
            SnippetSpec(timeout=10.0, errors=("line 2: timeout: given more than once",)),
            id="timeout-twice",
        ),
        pytest.param(
            "# expect: params 5\n# expect: = 5\n# expect: x =\n# expect: y = 2\n",
            SnippetSpec(
                expects=(("y", "2"),),
                errors=(
                    "line 1: expect: expected NAME = VALUE, got 'params 5'",
                    "line 2: expect: expected NAME = VALUE, got '= 5'",
                    "line 3: expect: expected NAME = VALUE, got 'x ='",
                ),
            ),
            id="expect-malformed",
        ),
        pytest.param(
            "# requires: torch>=2, numpy\n",
            SnippetSpec(
                requires=("numpy",),
                requires_declared=True,
                errors=("line 1: requires: 'torch>=2' is not a module name",),
            ),
            id="requires-bad-name",
        ),
        pytest.param(
            "# kb-snippet:\n# source:   \n",
            SnippetSpec(errors=("line 1: kb-snippet: empty value", "line 2: source: empty value")),
            id="empty-title-and-source",
        ),
    ],
)
def test_parse_header(code: str, expected: SnippetSpec) -> None:
    assert parse_header(code) == expected


def test_parse_header_crlf_and_bom() -> None:
    spec = parse_header("\ufeff# requires: torch\r\n# expect: a = 1\r\nprint('a = 1')\r\n")
    assert spec.requires == ("torch",)
    assert spec.expects == (("a", "1"),)


# --- is_runnable ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "source", "code", "runnable"),
    [
        ("python", None, "# requires: torch\n", True),
        ("py", None, "# expect: a = 1\n", True),
        ("python3", None, "# requires:\n", True),
        ("PYTHON", None, "# expect: a = 1\n", True),
        ("", "ch1/code/model.py", "# expect: a = 1\n", True),
        ("python", None, "# kb-snippet: title only\n# source: x\n", False),
        ("python", None, "print('a = 1')\n", False),
        ("bash", None, "# requires: torch\n", False),
        ("", None, "# requires: torch\n", False),
        ("", "ch1/code/model.sh", "# requires: torch\n", False),
    ],
)
def test_is_runnable(language: str, source: str | None, code: str, runnable: bool) -> None:
    assert is_runnable(make_snippet(code, language, source)) is runnable


# --- run_code: real subprocesses --------------------------------------------------------------


def test_run_code_collects_output_and_runs_in_a_temp_dir(tmp_path: Path) -> None:
    code = "import os, sys\nprint('cwd', os.getcwd())\nprint('héllo')\nprint('oops', file=sys.stderr)\n"
    result = run_code(code, timeout=20)
    assert result.returncode == 0
    assert not result.timed_out and not result.truncated
    lines = result.stdout.splitlines()
    workdir = lines[0].removeprefix("cwd ")
    assert "kb-snippet-" in workdir
    assert not os.path.exists(workdir)  # cleaned up
    assert lines[1] == "héllo"
    assert result.stderr == "oops\n"


@posix_only
def test_run_code_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    pid_file = tmp_path / "grandchild.pid"
    code = textwrap.dedent(
        f"""
        import subprocess, sys
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        with open({str(pid_file)!r}, "w") as f:
            f.write(str(child.pid))
        while True:
            pass
        """
    )
    started = time.monotonic()
    result = run_code(code, timeout=1, sandbox=False)  # writes into tmp_path
    assert time.monotonic() - started < 5
    assert result.timed_out
    assert result.returncode is not None and result.returncode < 0
    grandchild = int(pid_file.read_text())
    assert wait_dead(grandchild), f"grandchild {grandchild} survived the timeout"


@posix_only
def test_run_code_kills_leftovers_after_a_normal_exit(tmp_path: Path) -> None:
    pid_file = tmp_path / "background.pid"
    code = textwrap.dedent(
        f"""
        import subprocess, sys
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        with open({str(pid_file)!r}, "w") as f:
            f.write(str(child.pid))
        print("done")
        """
    )
    result = run_code(code, timeout=20, sandbox=False)  # writes into tmp_path
    assert result.returncode == 0 and result.stdout == "done\n"
    assert wait_dead(int(pid_file.read_text()))


def test_run_code_truncates_big_output_without_blocking() -> None:
    cap = 100_000
    code = "import sys\nsys.stdout.write('x' * 10_000_000)\nsys.stderr.write('e' * 3_000_000)\n"
    result = run_code(code, timeout=20, max_output=cap)
    assert result.returncode == 0
    assert not result.timed_out
    assert result.truncated
    assert len(result.stdout) == cap
    assert len(result.stderr) == cap
    assert result.duration < 10


def test_run_code_nonzero_exit() -> None:
    result = run_code("import sys\nsys.exit(3)\n", timeout=20)
    assert result.returncode == 3
    assert not result.timed_out


def test_run_code_missing_interpreter(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        run_code("print(1)\n", python=str(tmp_path / "no-python"))


# --- check_snippet ----------------------------------------------------------------------------


def test_check_snippet_pass() -> None:
    code = (
        "# expect: params = 5\n# expect: output_shape = (1, 2)\n"
        "print('params   =5')\nprint('output_shape = (1, 2)')\n"
    )
    result = check_snippet(make_snippet(code))
    assert result.status == "pass", result
    assert result.snippet_id == "ch1/[1]note.md#0"
    assert result.mismatches == ()
    assert "params   =5" in result.output


def test_check_snippet_expectations_fail() -> None:
    code = "# expect: params = 11689512\n# expect: output_shape = (1, 1000)\nprint('params = 11689000')\n"
    result = check_snippet(make_snippet(code))
    assert result.status == "fail"
    assert result.mismatches == (
        "expected params = 11689512, got params = 11689000",
        "expected output_shape = (1, 1000), not printed",
    )
    assert result.reason == "2 expectations did not hold"


def test_check_snippet_timeout_fails() -> None:
    result = check_snippet(make_snippet("# expect: a = 1\nwhile True:\n    pass\n"), timeout=1)
    assert result.status == "fail"
    assert result.reason == "timed out after 1s"


def test_check_snippet_header_timeout_is_used() -> None:
    result = check_snippet(make_snippet("# expect: a = 1\n# timeout: 0.5\nwhile True:\n    pass\n"))
    assert result.reason == "timed out after 0.5s"


def test_check_snippet_exception_fails_with_its_type() -> None:
    code = "# expect: a = 1\nraise ZeroDivisionError('no way')\n"
    result = check_snippet(make_snippet(code))
    assert result.status == "fail"
    assert "ZeroDivisionError" in result.reason
    assert result.reason == "ZeroDivisionError: no way"


def test_check_snippet_nonzero_exit_fails() -> None:
    result = check_snippet(make_snippet("# expect: a = 1\nimport sys\nsys.exit(3)\n"))
    assert result.status == "fail"
    assert result.reason == "exited with code 3"


def test_check_snippet_missing_requirement_skips() -> None:
    code = "# requires: json, kb_no_such_module_xyz\nimport kb_no_such_module_xyz\n"
    result = check_snippet(make_snippet(code))
    assert result.status == "skip"
    assert result.reason == "needs kb_no_such_module_xyz"


def test_check_snippet_not_runnable_skips() -> None:
    assert check_snippet(make_snippet("print(1)\n")).reason == "not runnable"
    assert check_snippet(make_snippet("# requires: json\n", language="bash")).status == "skip"


def test_check_snippet_bad_header_is_an_error() -> None:
    result = check_snippet(make_snippet("# expect: a = 1\n# timeout: soon\nprint('a = 1')\n"))
    assert result.status == "error"
    assert "timeout" in result.reason


def test_check_snippet_missing_interpreter_is_an_error(tmp_path: Path) -> None:
    result = check_snippet(make_snippet("# requires: json\n"), python=str(tmp_path / "no-python"))
    assert result.status == "error"


@pytest.fixture(scope="module")
def other_python(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A real second interpreter: a bare venv (no pip, so it takes a fraction of a second)."""
    target = tmp_path_factory.mktemp("venv")
    venv.create(target, with_pip=False, symlinks=os.name != "nt")
    python = target / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    return str(python)


def test_check_snippet_asks_a_foreign_interpreter(other_python: str) -> None:
    code = "# requires: json, kb_no_such_module_xyz\n"
    assert check_snippet(make_snippet(code), python=other_python).reason == "needs kb_no_such_module_xyz"
    passing = "# requires: json\n# expect: a = 1\nimport json\nprint('a = 1')\n"
    assert check_snippet(make_snippet(passing), python=other_python).status == "pass"


# --- fingerprint and checksum -----------------------------------------------------------------


def test_runtime_fingerprint_current_and_foreign(other_python: str) -> None:
    own = runtime_fingerprint()
    assert own.startswith(f"python {platform.python_version()}; torch ")
    # A bare venv has no torch, whatever the current interpreter has.
    assert runtime_fingerprint(other_python) == f"python {platform.python_version()}; torch absent"


def test_probes_of_a_foreign_interpreter_import_nothing_planted_in_the_temp_folder(
        other_python: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Anyone can write into the shared temporary folder: a `platform.py` there must not run."""
    shared = tmp_path / "shared-tmp"
    shared.mkdir()
    marker = tmp_path / "planted-code-ran"
    (shared / "platform.py").write_text(f"open({str(marker)!r}, 'w').close()\n", encoding="utf-8")
    monkeypatch.setattr(tempfile, "tempdir", str(shared))
    assert runtime_fingerprint(other_python) == f"python {platform.python_version()}; torch absent"
    assert missing_modules(("json", "kb_no_such_module_xyz"), other_python) == ["kb_no_such_module_xyz"]
    assert not marker.exists()
    assert list(shared.iterdir()) == [shared / "platform.py"]  # the probes' own folders are gone


def test_runtime_fingerprint_does_not_import_torch() -> None:
    probe = "import sys, kb.snippets.environment\nkb.snippets.environment.runtime_fingerprint()\nprint('torch' in sys.modules)\n"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_code_checksum() -> None:
    assert code_checksum("print(1)\n") == hashlib.sha256(b"print(1)\n").hexdigest()
    assert code_checksum("a") != code_checksum("b")


# --- kb snippets run: only headered Python runs (through the CLI) ------------------------------


@pytest.fixture
def snippet_notebook(tmp_path: Path) -> Path:
    """A small notebook whose one note holds one block of each kind `kb snippets run` must judge."""
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "blocks.md").write_text(
        "# Blocks\n\n"
        "```python\nprint('no header')\n```\n\n"  # 0: Python without a header
        "```bash\n# requires: torch\necho hi\n```\n\n"  # 1: bash, even with a header
        "```python\n# requires: kb_no_such_module_xyz\nimport kb_no_such_module_xyz\n```\n\n"  # 2
        "```python\n# expect: x = 1\n# timeout: soon\nprint('x = 1')\n```\n\n"  # 3: bad header
        "```python\n# requires: json\n# expect: x = 1\nprint('x = 1')\n```\n",  # 4: runs
        encoding="utf-8",
    )
    return tmp_path


def run_cli(home: Path, *args: str):
    from click.testing import CliRunner  # noqa: PLC0415

    from kb.cli import cli  # noqa: PLC0415

    return CliRunner().invoke(cli, ["--notes", str(home / "notes"), "--index", str(home / "index"), *args],
                              catch_exceptions=False)


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("Error:")]


@pytest.mark.parametrize(
    ("snippet_id", "message"),
    [
        ("blocks.md#0", "has no `# requires:` or `# expect:` header"),
        ("blocks.md#1", "is a bash block; only Python snippets are run"),
        ("blocks.md#2", "requires module kb_no_such_module_xyz, which"),
        ("blocks.md#3", "has a bad header: line 2: timeout: 'soon' is not a number of seconds"),
    ],
)
def test_snippets_run_refuses_what_is_not_runnable(snippet_notebook: Path, snippet_id: str, message: str) -> None:
    result = run_cli(snippet_notebook, "snippets", "run", snippet_id)
    assert result.exit_code == 1
    assert result.stdout == ""  # nothing ran
    errors = error_lines(result.stderr)
    assert len(errors) == 1, result.stderr
    assert message in errors[0]
    assert "Traceback" not in result.stderr
    assert "Hint:" in result.stderr


def test_snippets_run_runs_a_headered_python_snippet(snippet_notebook: Path) -> None:
    result = run_cli(snippet_notebook, "snippets", "run", "blocks.md#4")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "x = 1\n"


# --- containment: real runs, with and without bubblewrap -------------------------------------

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="subreaper and /proc are Linux")
both_ways = pytest.mark.parametrize("sandbox", [False, True], ids=["plain", "bwrap-if-any"])


@both_ways
def test_run_code_gives_a_fresh_home_and_leaves_the_real_one_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sandbox: bool
) -> None:
    real_home = tmp_path / "real-home"
    real_home.mkdir()
    monkeypatch.setenv("HOME", str(real_home))
    code = (
        "import os\nfrom pathlib import Path\n"
        "Path('~/x').expanduser().write_text('written')\n"
        "print('home', os.path.expanduser('~'))\nprint('cwd', os.getcwd())\n"
        "print('tmp', __import__('tempfile').gettempdir())\n"
    )
    result = run_code(code, timeout=20, sandbox=sandbox)
    assert result.returncode == 0, result.stderr
    seen = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert seen["home"] != str(real_home) and seen["home"].startswith(seen["cwd"])
    assert seen["tmp"].startswith(seen["cwd"])
    assert list(real_home.iterdir()) == []
    assert not os.path.exists(seen["cwd"])  # removed with what the snippet wrote


@both_ways
def test_run_code_scrubs_the_environment(monkeypatch: pytest.MonkeyPatch, sandbox: bool) -> None:
    monkeypatch.setenv("KB_TEST_SECRET_TOKEN", "hunter2")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "hunter3")
    monkeypatch.setenv("LC_TIME", "C")
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    code = "import os, json\nprint(json.dumps(dict(os.environ)))\n"
    result = run_code(code, timeout=20, sandbox=sandbox)
    env = json.loads(result.stdout)
    assert "hunter2" not in result.stdout and "hunter3" not in result.stdout
    assert "KB_TEST_SECRET_TOKEN" not in env and "AWS_SECRET_ACCESS_KEY" not in env
    assert env["PATH"] == os.environ["PATH"]
    assert env["LC_TIME"] == "C" and env["OMP_NUM_THREADS"] == "1"
    allowed = PASSED_ENV | {"HOME", "TMPDIR", "PYTHONIOENCODING", "PYTHONDONTWRITEBYTECODE", "PYTHONUSERBASE"}
    allowed |= {"PWD"}  # bwrap sets it; the interpreter may add LC_CTYPE (locale coercion)
    assert {k for k in env if not k.startswith("LC_")} <= allowed


@posix_only
def test_run_code_sets_resource_limits() -> None:
    import resource  # noqa: PLC0415

    code = (
        "import resource\n"
        "for name in ('RLIMIT_CPU', 'RLIMIT_AS', 'RLIMIT_FSIZE', 'RLIMIT_CORE', 'RLIMIT_NPROC'):\n"
        "    print(name, resource.getrlimit(getattr(resource, name))[0])\n"
    )
    result = run_code(code, timeout=7)
    seen = {name: int(value) for name, value in (line.split() for line in result.stdout.splitlines())}
    expected = resource_limits(7)
    assert seen["RLIMIT_CPU"] == expected[resource.RLIMIT_CPU] == 8
    assert seen["RLIMIT_AS"] == expected[resource.RLIMIT_AS] >= 4 * 1024**3
    assert seen["RLIMIT_FSIZE"] == 64 * 1024 * 1024
    assert seen["RLIMIT_CORE"] == 0
    if resource.RLIMIT_NPROC in expected:
        assert abs(seen["RLIMIT_NPROC"] - expected[resource.RLIMIT_NPROC]) < 50  # others start and end tasks


@posix_only
def test_run_code_file_size_limit_stops_a_big_write() -> None:
    code = (
        "import errno\n"
        "try:\n"
        "    with open('big', 'wb') as f:\n"
        "        f.write(b'x' * (65 * 1024 * 1024))\n"
        "except OSError as exc:\n"
        "    print('refused', errno.errorcode[exc.errno])\n"
    )
    result = run_code(code, timeout=20)
    assert result.stdout == "refused EFBIG\n", result.stderr


@posix_only
def test_run_code_cpu_limit_kills_a_busy_loop_that_ignores_the_timeout() -> None:
    # SIGTERM and SIGXCPU are ignored; the hard CPU limit still ends it (SIGKILL) near timeout + 1 s.
    code = "import signal\nsignal.signal(signal.SIGXCPU, signal.SIG_IGN)\nwhile True:\n    pass\n"
    result = run_code(code, timeout=1)
    assert result.timed_out or result.returncode == -signal.SIGKILL
    assert result.duration < 6


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch is not installed")
def test_run_code_limits_leave_room_for_torch() -> None:
    code = textwrap.dedent(
        """
        import torch, torch.nn as nn
        m = nn.Sequential(*[nn.Conv2d(64, 64, 3, padding=1) for _ in range(8)], nn.AdaptiveAvgPool2d(1),
                          nn.Flatten(), nn.Linear(64, 1000))
        y = m(torch.randn(8, 64, 112, 112))
        y.sum().backward()
        print('output_shape =', tuple(y.shape))
        """
    )
    result = run_code(code, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "output_shape = (8, 1000)\n"


ESCAPER = """
import subprocess, sys
grandchild = (
    "import os, time\\n"
    "open({pid_file!r}, 'w').write(str(os.getpid()))\\n"
    "time.sleep(3)\\n"
    "open({marker!r}, 'w').write('escaped')\\n"
    "time.sleep(60)\\n"
)
# setsid: a new session and process group, which killing the snippet's group does not reach.
subprocess.Popen(["setsid", sys.executable, "-c", grandchild], start_new_session=True)
import time
while not __import__('os').path.exists({pid_file!r}):
    time.sleep(0.01)
print("started", flush=True)
{tail}
"""


@linux_only
@pytest.mark.skipif(shutil.which("setsid") is None, reason="needs the setsid command")
@pytest.mark.parametrize("tail", ["", "while True: pass"], ids=["normal-exit", "timeout"])
def test_run_code_kills_a_setsid_grandchild(tmp_path: Path, tail: str) -> None:
    pid_file, marker = tmp_path / "grandchild.pid", tmp_path / "escaped"
    code = ESCAPER.format(pid_file=str(pid_file), marker=str(marker), tail=tail)
    # Not in bubblewrap: its PID namespace would kill the grandchild anyway, and it must write here.
    result = run_code(code, timeout=2, sandbox=False)
    assert result.stdout == "started\n", result.stderr
    assert result.timed_out is bool(tail)
    grandchild = int(pid_file.read_text())
    assert wait_dead(grandchild, within=1.0), f"grandchild {grandchild} outlived the run"
    time.sleep(3.5)
    assert not marker.exists()


@pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap is not installed")
def test_run_code_in_bwrap_has_no_network_and_a_read_only_file_system(tmp_path: Path) -> None:
    if bwrap_available() is None:
        pytest.skip("bwrap is installed but cannot run here")
    outside = tmp_path / "outside"
    code = textwrap.dedent(
        f"""
        import errno, socket
        try:
            open({str(outside)!r}, "w")
        except OSError as exc:
            print("write outside:", errno.errorcode[exc.errno])
        open("inside", "w").write("ok")
        print("write inside: ok")
        print("interfaces:", sorted(name for _, name in socket.if_nameindex()))
        try:
            socket.create_connection(("1.1.1.1", 53), timeout=3)
            print("network: reachable")
        except OSError as exc:
            print("network:", errno.errorcode.get(exc.errno, exc))
        """
    )
    result = run_code(code, timeout=20)
    assert result.sandboxed
    assert result.stdout.splitlines() == [
        "write outside: EROFS",
        "write inside: ok",
        "interfaces: ['lo']",
        "network: ENETUNREACH",
    ], result.stderr
    assert not outside.exists()
