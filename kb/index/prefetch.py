"""Read ahead: run a generator in a thread, a bounded number of items ahead of its consumer.

A full build parses notes in the parent process while Whoosh's worker processes index them, and at
the end of every batch the parent waits for the workers to write their segments (about two fifths of
its time at 10k notes, blocked in the kernel, not holding the GIL). Parsing the next notes in a thread
during that wait keeps the parent's share of the work moving.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

_DONE = object()


class _Failed:
    def __init__(self, exc: BaseException):
        self.exc = exc


def prefetch(items: Iterable[T], ahead: int) -> Iterator[T]:
    """Yield what `items` yields, in order, produced by a thread that runs at most `ahead` items in front.

    An exception raised by `items` is raised here, at the point where its item would have come. When
    the consumer stops early (an error of its own, Ctrl-C, or closing this generator), the thread is
    told to stop and is waited for, so `items` is never left running behind the caller's back.
    """
    buffer: queue.Queue = queue.Queue(maxsize=max(1, ahead))
    stop = threading.Event()

    def put(value) -> bool:
        while not stop.is_set():
            try:
                buffer.put(value, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        source = iter(items)
        try:
            for item in source:
                if not put(item):
                    close = getattr(source, "close", None)
                    if close is not None:  # a generator: let its `finally` blocks run now
                        close()
                    return
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, raised there
            put(_Failed(exc))
            return
        put(_DONE)

    thread = threading.Thread(target=produce, name="kb-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            value = buffer.get()
            if value is _DONE:
                return
            if isinstance(value, _Failed):
                raise value.exc
            yield value
    finally:
        stop.set()
        thread.join()
