"""Benchmark `kb serve` from a warm server, against `rg -il` measured in the same run.

    python tests/bench/bench_web.py [--notes 10000] [--seed 0] [--workdir DIR] [--repeats 30]
                                    [--skip-synthetic] [--out FILE]

For the shipped notes and for the synthetic notebook (`gen_notebook.py`, N notes, seed S), it indexes
the notebook (untimed), starts the real `kb serve` (as a user runs it, watching the files) on a free port as a subprocess, warms
it, and times requests over one kept-alive HTTP connection:

    HTTP floor             GET /api/changes: a route that does no work, the cost of HTTP and the app
    note page, warm        GET /notes/<one note> again and again (the server's rendered-note cache hit)
    note page, first view  GET /notes/<a different note> each time (Markdown, MathML, Pygments run)
    /api/search resnet     GET /api/search?q=resnet
    /api/search 残差网络    GET /api/search?q=残差网络
    rg -il resnet / 残差网络  the same words with ripgrep over the notes folder, as a subprocess

Each figure is the nearest-rank p50 (and p90) of `--repeats` requests; `× rg` divides it by the p50
of `rg -il` for the same word (the note pages by `rg -il resnet`). See tests/bench/README.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))
import gen_notebook  # noqa: E402

QUERIES = ("resnet", "残差网络")
TARGET_PAGE = 0.050
TARGET_API = 0.020
SHIPPED_PAGE = "papers/[7]Deep-Residual-Learning-for-Image-Recognition.md"


def percentile(samples: list[float], pct: float) -> float:
    """Nearest-rank percentile (p50 of 30 samples is the 15th smallest)."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def kb(*args: str) -> list[str]:
    return [sys.executable, "-m", "kb", *args]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A `kb serve` subprocess (watching files, as by default) on a free port, and one kept-alive connection to it."""

    def __init__(self, notes: Path, index: Path):
        self.port = free_port()
        self.proc = subprocess.Popen(kb("--notes", str(notes), "--index", str(index), "serve",
                                        "--port", str(self.port)), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while True:
            try:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                self.get("/")
                return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("kb serve did not start: " + self.proc.stderr.read().decode()) from None
                time.sleep(0.2)

    def get(self, path: str) -> bytes:
        self.conn.request("GET", path)
        response = self.conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path}: {response.status} {body[:200]!r}")
        return body

    def time(self, path: str) -> tuple[float, bytes]:
        started = time.perf_counter()
        body = self.get(path)
        return time.perf_counter() - started, body

    def stop(self) -> None:
        self.conn.close()
        self.proc.terminate()
        self.proc.wait(timeout=30)


def time_rg(word: str, notes: Path, repeats: int) -> list[float]:
    rg = shutil.which("rg")
    if rg is None:
        raise RuntimeError("rg (ripgrep) is not installed: apt-get install ripgrep")
    subprocess.run([rg, "-il", word, str(notes)], stdout=subprocess.DEVNULL, check=False)  # warm the cache
    out = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run([rg, "-il", word, str(notes)], stdout=subprocess.DEVNULL, check=False)
        out.append(time.perf_counter() - started)
    return out


def measure(name: str, notes: Path, index: Path, page: str, others: list[str], repeats: int) -> dict:
    """Every row for one notebook: {row: samples}, plus what was checked."""
    print(f"[{name}] indexing (untimed) …", file=sys.stderr)
    subprocess.run(kb("--notes", str(notes), "--index", str(index), "index", "--json"), check=True,
                   stdout=subprocess.DEVNULL)
    print(f"[{name}] starting kb serve …", file=sys.stderr)
    server = Server(notes, index)
    rows: dict[str, list[float]] = {}
    try:
        page_url = "/notes/" + quote(page)
        for _ in range(3):  # warm: imports, the note cache, SQLite and Whoosh pages
            server.get(page_url)
            for q in QUERIES:
                server.get("/api/search?q=" + quote(q))
        rows["HTTP floor (/api/changes)"] = [server.time("/api/changes")[0] for _ in range(repeats)]
        rows["note page, warm"] = [server.time(page_url)[0] for _ in range(repeats)]
        rows["note page, first view"] = [server.time("/notes/" + quote(p))[0] for p in others[:repeats]]
        for q in QUERIES:
            samples = []
            for _ in range(repeats):
                seconds, body = server.time("/api/search?q=" + quote(q))
                samples.append(seconds)
            if not json.loads(body)["hits"]:
                raise RuntimeError(f"/api/search?q={q} found nothing in {name}")
            rows[f"/api/search {q}"] = samples
        size = len(server.get(page_url))
    finally:
        server.stop()
    for q in QUERIES:
        rows[f"rg -il {q}"] = time_rg(q, notes, repeats)
    return {"rows": rows, "page": page, "page_bytes": size}


def table(name: str, result: dict) -> str:
    rows = result["rows"]
    rg = {q: percentile(rows[f"rg -il {q}"], 50) for q in QUERIES}
    lines = [f"\n{name} (page: {result['page']}, {result['page_bytes'] / 1000:.0f} kB of HTML)",
             f"{'row':<28} {'p50 ms':>8} {'p90 ms':>8} {'× rg':>7}  target"]
    for row, samples in rows.items():
        p50, p90 = percentile(samples, 50) * 1000, percentile(samples, 90) * 1000
        base = rg[next((q for q in QUERIES if q in row), "resnet")]
        target = TARGET_PAGE if row.startswith("note") else TARGET_API if row.startswith("/api") else None
        verdict = "" if target is None else f"≤ {target * 1000:.0f} ms {'ok' if p50 <= target * 1000 else 'OVER'}"
        lines.append(f"{row:<28} {p50:8.1f} {p90:8.1f} {p50 / (base * 1000):6.1f}×  {verdict}")
    return "\n".join(lines)


def synthetic(workdir: Path, n: int, seed: int) -> tuple[Path, dict]:
    notes = workdir / f"notes-{n}-seed{seed}"
    manifest_file = workdir / f"notes-{n}-seed{seed}.json"
    if manifest_file.is_file() and notes.is_dir():
        return notes, json.loads(manifest_file.read_text(encoding="utf-8"))
    if notes.exists():
        shutil.rmtree(notes)
    print(f"generating {n} notes …", file=sys.stderr)
    manifest = gen_notebook.generate(notes, n, seed)
    manifest_file.write_text(json.dumps(manifest), encoding="utf-8")
    return notes, manifest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notes", type=int, default=10000, help="synthetic notebook size (default 10000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", type=Path, help="keep (and reuse) the synthetic notebook here")
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--skip-synthetic", action="store_true", help="only the shipped notes")
    parser.add_argument("--out", type=Path, help="also write every sample as JSON")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="kb-bench-web-"))
    workdir = args.workdir or tmp
    workdir.mkdir(parents=True, exist_ok=True)
    results = {}
    try:
        shipped = ROOT / "notes"
        notes = sorted(p.relative_to(shipped).as_posix() for p in shipped.rglob("*.md"))
        others = random.Random(args.seed).sample(notes, min(len(notes), args.repeats))
        results["shipped notes"] = measure("shipped", shipped, tmp / "index-shipped", SHIPPED_PAGE, others,
                                           args.repeats)
        print(table(f"shipped notes ({len(notes)})", results["shipped notes"]))
        if not args.skip_synthetic:
            folder, manifest = synthetic(workdir, args.notes, args.seed)
            every = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.md"))
            page = sorted(manifest["keyword_notes"])[0]
            others = random.Random(args.seed).sample(every, args.repeats)
            name = f"synthetic notebook ({args.notes} notes, seed {args.seed})"
            index = (args.workdir or tmp) / f"web-index-{args.notes}-seed{args.seed}"  # kept with --workdir
            results[name] = measure("synthetic", folder, index, page, others, args.repeats)
            print(table(name, results[name]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if args.out:
        args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
