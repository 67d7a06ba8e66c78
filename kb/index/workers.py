"""Whoosh writers for a full build: a segment writer with a cheaper flush, and worker processes made
to die with kb.

`FlushWriter` is Whoosh's `SegmentWriter` but for one step of its flush. Writing a segment's postings,
Whoosh asks the field length of every posting's document (a million times for 1k notes), and its
per-document reader answers each by a seek and a one-byte read of the lengths column: 7% of the CPU of
a build (profiled on 10k synthetic notes). `FlushWriter` reads each field's column once into memory and
answers from there. The segment written is the same, byte for byte (tests/test_index_workers.py).

Whoosh's `MpWriter` starts plain `multiprocessing` processes that survive their parent: Ctrl-C
reaches them too (each printed its own `KeyboardInterrupt` traceback), `cancel()` only flips a flag
in the parent's copy of each worker (so they kept waiting for work, and Python's exit waited for
them), and a parent killed with SIGKILL left them running. Here the workers:

- ignore SIGINT: Ctrl-C is the parent's to handle, and the parent ends them;
- are daemonic, so a parent that exits ends them;
- on Linux ask the kernel to SIGKILL them when the parent dies (`PR_SET_PDEATHSIG`), so even a
  parent killed with SIGKILL leaves none behind;
- are ended by `cancel()`, which also stops the queues' feeder threads from waiting for them.

Imported only by a full build.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys

import whoosh.multiproc
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.util.numeric import byte_to_length
from whoosh.writing import SegmentWriter

_PR_SET_PDEATHSIG = 1
_BYTE_TO_LENGTH = [byte_to_length(b) for b in range(256)]


class _Lengths:
    """The field lengths of the segment being flushed, each field's column read once.

    Answers `doc_field_length` as Whoosh's W3 per-document reader does (None for a zero length byte)."""

    def __init__(self, reader):
        self._reader = reader
        self._columns: dict[str, bytes | None] = {}

    def _column(self, fieldname: str) -> bytes | None:
        if fieldname not in self._columns:
            column = self._reader._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
            self._columns[fieldname] = (None if column is None
                                        else bytes(column[i] for i in range(self._reader.doc_count_all())))
        return self._columns[fieldname]

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int | None:
        column = self._column(fieldname)
        if column is None:
            return default
        byte = column[docnum] if docnum < len(column) else 0
        return _BYTE_TO_LENGTH[byte] if byte else None


class FlushWriter(SegmentWriter):
    """Whoosh's segment writer with the field lengths of its flush read from memory (see above)."""

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        reader = self.per_document_reader() if self.codec.length_stats else None
        postings = self.pool.iter_postings()
        self.fieldwriter.add_postings(self.schema, _Lengths(reader) if reader else None, postings)
        self.fieldwriter.close()
        if reader:
            reader.close()


def die_with_parent(parent: int) -> None:
    """In a worker: ignore Ctrl-C, and (Linux) be killed when the parent dies."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


class Worker(SubWriterTask):
    """A Whoosh sub-writer process that dies with its parent."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.daemon = True
        self.parent = os.getpid()

    def run(self) -> None:
        die_with_parent(self.parent)
        # SubWriterTask.run makes its writer from this module-level name; in this (forked) worker
        # process only, make it ours.
        whoosh.multiproc.SegmentWriter = FlushWriter
        super().run()


class Writer(MpWriter):
    """Whoosh's multi-process writer with `Worker` processes and a `cancel()` that ends them."""

    def _new_task(self) -> Worker:
        task = Worker(self.storage, self.indexname, self.jobqueue, self.resultqueue, self.subargs,
                      self.multisegment)
        self.tasks.append(task)
        task.start()
        return task

    def cancel(self) -> None:
        try:
            for task in self.tasks:
                if task.is_alive():
                    task.terminate()
            for task in self.tasks:
                task.join(timeout=2)
                if task.is_alive():
                    task.kill()
                    task.join(timeout=2)
            for q in (self.jobqueue, self.resultqueue):
                q.cancel_join_thread()  # nobody will read what is still buffered
                q.close()
        finally:
            SegmentWriter.cancel(self)
