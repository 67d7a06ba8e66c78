"""The notes' figures are what tools/figures draws: regenerating them gives the committed bytes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_committed_figures_match_the_code() -> None:
    pytest.importorskip("matplotlib")
    done = subprocess.run([sys.executable, "-m", "tools.figures", "--check"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_figure_is_referenced_from_a_note() -> None:
    images = sorted(p.relative_to(ROOT / "notes") for p in (ROOT / "notes").rglob("img/*.svg"))
    assert len(images) >= 25
    text = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "notes").rglob("*.md"))
    for image in images:
        assert f"](./img/{image.name})" in text, image
