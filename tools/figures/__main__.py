"""Regenerate the notebook's figures: `python -m tools.figures [--check] [--list] [NAME ...]`.

Without arguments every registered figure is drawn and written next to the note that uses it.
NAME filters by function name or file stem (e.g. `residual_block` or `residual-block`).
`--check` draws into memory and compares with the files on disk, exiting 1 if any differ, so a
reviewer can confirm that the committed SVGs are what the scripts produce.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import sys
import tempfile
from pathlib import Path

from . import MODULES
from ._common import REGISTRY, REPO, save, setup_style


def _load_all() -> None:
    for name in MODULES:
        importlib.import_module(f"{__package__}.{name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.figures", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="only these figures (function name or file stem)")
    parser.add_argument("--list", action="store_true", help="list the figures and where they go")
    parser.add_argument("--check", action="store_true", help="compare with the SVGs on disk instead of writing")
    parser.add_argument("--preview", metavar="DIR", help="also write a PNG of each figure into DIR (for a quick look)")
    args = parser.parse_args(argv)

    _load_all()
    wanted = {n.replace("-", "_") for n in args.names}
    specs = [s for s in REGISTRY if not wanted or s.name in wanted or s.path.stem.replace("-", "_") in wanted]
    if wanted and not specs:
        parser.error("no figure matches " + ", ".join(sorted(args.names)))

    if args.list:
        for s in specs:
            print(f"{s.module:13s} {s.name:28s} {s.path.relative_to(REPO)}")
        return 0

    stale = 0
    with tempfile.TemporaryDirectory() as tmp:
        for s in specs:
            setup_style()
            fig = s.draw()
            if args.preview:
                Path(args.preview).mkdir(parents=True, exist_ok=True)
                fig.savefig(Path(args.preview) / f"{s.path.stem}.png", dpi=110, bbox_inches="tight")
            target = Path(tmp) / s.path.name if args.check else s.path
            save(fig, target)
            rel = s.path.relative_to(REPO)
            if args.check:
                same = s.path.is_file() and s.path.read_bytes() == target.read_bytes()
                stale += not same
                print(f"{'ok   ' if same else 'STALE'} {rel}")
            else:
                digest = hashlib.sha256(target.read_bytes()).hexdigest()[:12]
                print(f"{target.stat().st_size / 1024:6.1f} KB  {digest}  {rel}")
    if stale:
        print(f"{stale} figure(s) differ from what the scripts draw", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
