"""kb.index.prefetch: a generator run ahead in a thread, in order, bounded, stopped with its consumer."""

from __future__ import annotations

import threading
import time

import pytest

from kb.index.prefetch import prefetch


def test_items_come_in_order() -> None:
    assert list(prefetch(iter(range(1000)), 7)) == list(range(1000))
    assert list(prefetch([], 3)) == []


def test_an_error_is_raised_where_its_item_would_have_come() -> None:
    def items():
        yield 1
        yield 2
        raise ValueError("bad note")

    got = []
    with pytest.raises(ValueError, match="bad note"):
        for item in prefetch(items(), 10):
            got.append(item)
    assert got == [1, 2]


def test_the_producer_runs_at_most_ahead_items_in_front() -> None:
    produced = []

    def items():
        for i in range(100):
            produced.append(i)
            yield i

    it = prefetch(items(), 5)
    assert next(it) == 0
    time.sleep(0.3)  # time for the thread to fill the buffer
    # One taken, five waiting in the buffer, one produced and held until there is room.
    assert len(produced) <= 1 + 5 + 1
    it.close()


def test_stopping_early_stops_the_producer() -> None:
    finished = threading.Event()
    produced = []

    def items():
        try:
            for i in range(10_000):
                produced.append(i)
                yield i
        finally:
            finished.set()

    it = prefetch(items(), 3)
    assert [next(it) for _ in range(3)] == [0, 1, 2]
    it.close()  # the consumer gives up (an error of its own, Ctrl-C)
    count = len(produced)
    time.sleep(0.3)
    assert len(produced) == count < 10_000  # nothing more is read once the consumer has stopped
    assert finished.is_set()  # and the source generator was closed
    assert not any(t.name == "kb-prefetch" and t.is_alive() for t in threading.enumerate())


def test_a_two_process_build_with_read_ahead_indexes_what_one_process_does(tmp_path) -> None:
    # The full build's read-ahead runs only with worker processes (procs > 1): forced here on a small
    # generated notebook, it must store and find exactly what an in-process build does.
    from bench.gen_notebook import generate

    from kb.config import Paths
    from kb.index.indexer import index_notebook
    from kb.notebook import Notebook

    notes = tmp_path / "notes"
    generate(notes, n_notes=120, seed=7)
    results = {}
    for procs in (1, 2):
        paths = Paths(notes, tmp_path / f"index-{procs}")
        stats = index_notebook(paths, rebuild=True, procs=procs)
        nb = Notebook(paths)
        results[procs] = (
            stats.added,
            [(str(n.path), n.title, n.checksum) for n in nb.notes(full=True)],
            {q: [(h.path, h.score) for h in nb.search(q, limit=20).hits] for q in ("resnet", "残差网络", "attention")},
        )
    assert results[2][0] == 120
    assert results[2] == results[1]
