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

from mlops_audit.portfolio.worker import READY

MAX_ANSWER_BYTES = 80 * 1024 * 1024
STARTUP_SECONDS = 120.0


class WorkerSlot:
    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None

    def _start(self) -> subprocess.Popen[bytes] | None:
        """The running worker, started if need be; None if a new one did not come up."""
        if self.proc is not None and self.proc.poll() is None:
            return self.proc
        self.kill()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mlops_audit.portfolio.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: a kill reaches git children too
        )
        # Start-up (interpreter, imports) is not the repository's time: wait for the ready line.
        if self._read_line(time.monotonic() + STARTUP_SECONDS) != READY.encode():
            self.kill()
            return None
        return self.proc

    def _read_line(self, deadline: float) -> bytes | None:
        """One line from the worker, or None on end of file, a too long answer or the deadline."""
        assert self.proc is not None and self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        buffer = bytearray()
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while b"\n" not in buffer:
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(timeout=left):
                    return None
                chunk = os.read(fd, 1 << 20)
                if not chunk or len(buffer) + len(chunk) > MAX_ANSWER_BYTES:
                    return None
                buffer += chunk
        line, _, rest = bytes(buffer).partition(b"\n")
        return line if not rest else None  # one request, one line: more means the protocol broke

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

    def interrupt(self) -> None:
        """Kill the worker's process group from another thread, leaving its pipes to the thread
        that is reading them: that thread sees end of file at once and cleans up. (Closing the
        pipe here instead could race its wait: a closed descriptor silently leaves an epoll set, and
        the reader would then sleep until its deadline.)"""
        proc = self.proc
        if proc is None:
            return
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

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
        if proc is None:
            return {"state": "error", "error_kind": "worker_died", "error": f"a worker process did not start within {STARTUP_SECONDS:.0f} s"}
        assert proc.stdin is not None
        try:
            proc.stdin.write((json.dumps(task) + "\n").encode("utf-8"))
            proc.stdin.flush()
        except OSError:
            return self._died()
        deadline = time.monotonic() + timeout
        line = self._read_line(deadline)
        if line is None:
            if time.monotonic() >= deadline:
                self.kill()
                return {"state": "error", "error_kind": "timeout", "error": f"took longer than the {timeout:g} s time limit; the worker was killed"}
            return self._died()
        try:
            answer = json.loads(line)
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            self.kill()
            return {"state": "error", "error_kind": "worker_died", "error": "the worker's answer was not a JSON object"}
        return answer

    def _died(self) -> dict[str, Any]:
        proc = self.proc
        try:
            code = proc.wait(timeout=2) if proc is not None else None
            message = f"the worker process ended (exit status {code}) before answering"
        except subprocess.TimeoutExpired:  # still running: it answered, but not with one JSON line
            message = f"the worker's answer was malformed or over {MAX_ANSWER_BYTES} bytes"
        self.kill()
        return {"state": "error", "error_kind": "worker_died", "error": message}
