"""A worker process: reads one JSON task per line on stdin, answers one JSON line on its protocol fd.

Started by `slot.WorkerSlot` as `python -m mlops_audit.portfolio.worker`. Its stdout is the
protocol channel: anything else that would print to stdout (a library's stray print) is sent to
stderr instead, so it can never corrupt an answer. It ends when stdin closes or when the process
that started it is gone, so it never outlives it.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time

READY = '{"ready": true}'  # first line: started and imported (the time limit starts after it)


def _watch_parent(parent: int) -> None:
    """End this worker (and its git children) once the process that started it is gone, even in
    the middle of a task that never returns: stdin closing is not noticed then."""
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            if os.getpgid(0) == os.getpid():  # our own group (as WorkerSlot starts us): take git along
                os.killpg(0, signal.SIGKILL)
            os._exit(75)


def main() -> None:
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True, name="watch-parent").start()
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # stray prints go to stderr, not into the protocol
    sys.stdout = sys.stderr
    from mlops_audit.portfolio.task import _collector_digest, run_task

    _collector_digest()  # imports the collector and its detectors before saying ready
    protocol.write(READY + "\n")
    protocol.flush()
    for line in sys.stdin:
        try:
            task = json.loads(line)
            answer = run_task(task)
        except Exception as exc:  # noqa: BLE001 - a bad task is an answer, not the end of the worker
            answer = {"state": "error", "error_kind": "crashed", "error": f"worker: {type(exc).__name__}: {exc}"}
        protocol.write(json.dumps(answer, ensure_ascii=True) + "\n")
        protocol.flush()


if __name__ == "__main__":
    main()
