"""One job slot: a worker process that runs one task at a time and is killed when it overruns.

concurrent.futures cannot stop one task of a process pool (killing a pool worker breaks the whole
pool), so each slot owns its own worker process (`python -m mlops_audit.portfolio.worker`) and
talks to it over a pipe. A task past its time limit gets the worker's whole process group killed
(git children included) and an error answer; the next task starts a fresh worker. A worker that
dies on its own is an error answer too. The same class runs inside a Dask worker, where
multiprocessing may not start children (daemonic processes) but subprocess may.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import time
from typing import Any

MAX_ANSWER_BYTES = 80 * 1024 * 1024


class WorkerSlot:
    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None

    def _start(self) -> subprocess.Popen[bytes]:
        if self.proc is None or self.proc.poll() is not None:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "mlops_audit.portfolio.worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: a kill reaches git children too
            )
        return self.proc

    def kill(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait()
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                stream.close()

    def close(self) -> None:
        """Stop the worker: closing stdin ends it; kill it if it does not end promptly."""
        proc = self.proc
        if proc is None:
            return
        try:
            if proc.stdin is not None:
                proc.stdin.close()
            proc.wait(timeout=5)
        except (subprocess.TimeoutExpired, OSError):
            pass
        self.kill()

    def run(self, task: dict[str, Any], timeout: float) -> dict[str, Any]:
        proc = self._start()
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write((json.dumps(task) + "\n").encode("utf-8"))
            proc.stdin.flush()
        except OSError:
            return self._died()
        deadline = time.monotonic() + timeout
        buffer = bytearray()
        fd = proc.stdout.fileno()
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while b"\n" not in buffer:
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(timeout=left):
                    self.kill()
                    return {"state": "error", "error_kind": "timeout", "error": f"took longer than the {timeout:g} s time limit; the worker was killed"}
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    return self._died()
                buffer += chunk
                if len(buffer) > MAX_ANSWER_BYTES:
                    self.kill()
                    return {"state": "error", "error_kind": "too_large", "error": f"the worker's answer was over {MAX_ANSWER_BYTES} bytes"}
        line, _, rest = bytes(buffer).partition(b"\n")
        if rest:  # one task, one line: anything more means the protocol is broken
            self.kill()
        try:
            answer = json.loads(line)
        except ValueError:
            self.kill()
            return {"state": "error", "error_kind": "worker_died", "error": "the worker's answer was not JSON"}
        return answer if isinstance(answer, dict) else {"state": "error", "error_kind": "worker_died", "error": "the worker's answer was not an object"}

    def _died(self) -> dict[str, Any]:
        proc = self.proc
        code = proc.wait() if proc is not None else None
        self.kill()
        return {"state": "error", "error_kind": "worker_died", "error": f"the worker process ended (exit status {code}) before answering"}
