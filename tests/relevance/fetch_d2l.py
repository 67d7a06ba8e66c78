"""Bring the Chinese *Dive into Deep Learning* (d2l-ai/d2l-zh) into a cache folder, at a pinned commit.

    python tests/relevance/fetch_d2l.py [--source GIT_URL_OR_DIR] [--dest DIR] [--images]

The second judged set (d2l_queries.yaml) is about this corpus: a real notebook that nobody here
wrote. Only the Markdown chapters are copied (`chapter_*/**/*.md`), without the `*_origin.md` files:
those are the English text each Chinese chapter was translated from, and keeping both would make
every query judge two copies of one page. `--images` also copies `img/`, so that `kb check` can tell
a real missing image from one that was merely left out of the copy.

`--source` is a git URL (fetched shallowly, blobs on demand) or a local git directory such as a
mirror; either way the files come from PINNED (or `--commit`), never from whatever the branch points at today.
The tests never run this: they skip the d2l evaluation when the cache is absent.
"""

from __future__ import annotations

import argparse
import fnmatch
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
PINNED = "e6b18ccea71451a55fcd861d7b96fddf2587b09a"
DEFAULT_SOURCE = "https://github.com/d2l-ai/d2l-zh.git"
DEFAULT_DEST = HERE / ".cache" / "d2l-zh"


def wanted(path: str, images: bool) -> bool:
    """Whether a path of the repository belongs in the corpus."""
    if path.startswith("chapter_") and path.endswith(".md") and not path.endswith("_origin.md"):
        return True
    return images and fnmatch.fnmatch(path, "img/*")


def git(git_dir: Path | str, *args: str, **kw) -> subprocess.CompletedProcess:
    """Run git against a git directory, failing loudly."""
    return subprocess.run(["git", "--git-dir", str(git_dir), *args], check=True, capture_output=True, **kw)


def local_git_dir(source: str) -> Path | None:
    """The git directory of a local source (a bare mirror or a work tree), or None for a URL."""
    path = Path(source)
    if not path.exists():
        return None
    return path / ".git" if (path / ".git").exists() else path


def fetch_remote(source: str, work: Path, commit: str, images: bool) -> Path:
    """A partial, shallow fetch of the commit with only the wanted blobs: the repository's notebooks
    and images are far larger than its Markdown."""
    git_dir = work / "repo.git"
    subprocess.run(["git", "init", "-q", "--bare", str(git_dir)], check=True)
    git(git_dir, "fetch", "-q", "--depth", "1", "--filter=blob:none", source, commit)
    blobs = [line.split()[2] for line in tree_lines(git_dir, commit) if wanted(line.split("\t", 1)[1], images)]
    # One batch fetch of the missing blobs instead of one round trip per file.
    for start in range(0, len(blobs), 200):
        git(git_dir, "fetch", "-q", "--filter=blob:none", source, *blobs[start:start + 200])
    return git_dir


def tree_lines(git_dir: Path, commit: str) -> list[str]:
    """`ls-tree -r` lines of a commit."""
    return git(git_dir, "ls-tree", "-r", commit, text=True).stdout.splitlines()


def export(git_dir: Path, commit: str, dest: Path, images: bool) -> int:
    """Write the wanted files of a commit under dest (replacing what was there); returns the count."""
    tmp = dest.with_name(dest.name + ".part")
    shutil.rmtree(tmp, ignore_errors=True)
    count = 0
    for line in tree_lines(git_dir, commit):
        meta, path = line.split("\t", 1)
        if not wanted(path, images) or meta.split()[1] != "blob":
            continue
        data = git(git_dir, "cat-file", "blob", meta.split()[2]).stdout
        target = tmp / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        count += 1
    (tmp / "COMMIT").write_text(commit + "\n", encoding="utf-8")
    shutil.rmtree(dest, ignore_errors=True)
    tmp.rename(dest)
    return count


def main(argv: list[str] | None = None) -> int:
    """Fetch (or read) the pinned commit and export its chapters into the cache."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default=DEFAULT_SOURCE, help="git URL or local git directory")
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST)
    parser.add_argument("--images", action="store_true", help="copy img/ too (for kb check)")
    parser.add_argument("--commit", default=PINNED, help="another commit than the pinned one (for tests)")
    args = parser.parse_args(argv)
    commit = args.commit
    with tempfile.TemporaryDirectory() as work:
        git_dir = local_git_dir(args.source) or fetch_remote(args.source, Path(work), commit, args.images)
        try:
            git(git_dir, "cat-file", "-e", commit + "^{commit}")
        except subprocess.CalledProcessError:
            print(f"{args.source} does not have commit {commit}", file=sys.stderr)
            return 1
        args.dest.parent.mkdir(parents=True, exist_ok=True)
        count = export(git_dir, commit, args.dest, args.images)
    print(f"{count} files of d2l-zh@{commit[:10]} in {args.dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
