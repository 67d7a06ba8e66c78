"""The snippet supervisor: runs one command, then kills everything it left behind.

Started by `kb.snippets.runner.run_code` as `python supervisor.py STATUS_FD TIMEOUT COMMAND...`, with
the snippet's interpreter, so it uses the standard library only. On Linux it makes itself a child
subreaper (`prctl(PR_SET_CHILD_SUBREAPER)`): a process the snippet started and orphaned, even one
that called `setsid`, is re-parented to the supervisor instead of init, and once the snippet exits
or times out the supervisor kills and reaps its children until none is left.

It writes `pid N` when the snippet starts and `exit RC TIMED_OUT` at the end to STATUS_FD, a pipe
that the snippet does not inherit. SIGTERM ends the run early, as a timeout does.
"""

import ctypes
import os
import signal
import subprocess
import sys
import time

PR_SET_CHILD_SUBREAPER = 36


class _Stop(Exception):
    pass


def _become_subreaper():
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _children():
    """Pids whose parent is this process, read from /proc (empty where there is none)."""
    me = os.getpid()
    found = []
    try:
        names = os.listdir("/proc")
    except OSError:
        return found
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open("/proc/" + name + "/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        fields = stat.rsplit(b")", 1)[-1].split()
        if len(fields) > 1 and int(fields[1]) == me:
            found.append(int(name))
    return found


def _kill_everything(child):
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except OSError:
        pass
    returncode = child.wait()  # reaps the snippet itself before waitpid(-1) below could
    while True:
        for pid in _children():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return returncode  # no child left, alive or zombie
        if pid == 0:
            time.sleep(0.01)


def main():
    status = os.fdopen(int(sys.argv[1]), "w")
    timeout = float(sys.argv[2])
    command = sys.argv[3:]

    def stop(signum, frame):
        raise _Stop()

    signal.signal(signal.SIGTERM, stop)
    _become_subreaper()
    timed_out = False
    child = subprocess.Popen(command, start_new_session=True)  # close_fds: the status pipe stays ours
    try:
        status.write(f"pid {child.pid}\n")
        status.flush()
        try:
            child.wait(timeout=timeout)
        except (subprocess.TimeoutExpired, _Stop):
            timed_out = True
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        returncode = _kill_everything(child)
    status.write(f"exit {returncode} {int(timed_out)}\n")
    status.flush()


if __name__ == "__main__":
    main()
