"""Whoosh's worker processes for a full build, made to die with kb.

Whoosh's `MpWriter` starts plain `multiprocessing` processes that survive their parent: Ctrl-C
reaches them too (each printed its own `KeyboardInterrupt` traceback), `cancel()` only flips a flag
in the parent's copy of each worker (so they kept waiting for work, and Python's exit waited for
them), and a parent killed with SIGKILL left them running. Here the workers:

- ignore SIGINT: Ctrl-C is the parent's to handle, and the parent ends them;
- are daemonic, so a parent that exits ends them;
- on Linux ask the kernel to SIGKILL them when the parent dies (`PR_SET_PDEATHSIG`), so even a
  parent killed with SIGKILL leaves none behind;
- are ended by `cancel()`, which also stops the queues' feeder threads from waiting for them.

Imported only by a full build that uses more than one process.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys

from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.writing import SegmentWriter

_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
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
        _die_with_parent(self.parent)
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
