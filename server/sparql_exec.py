"""Runs queries in worker processes that can be killed: the query timeout.

pyoxigraph cannot interrupt a running query from Python (it releases the GIL, so a thread
would keep other requests served, but a runaway query would keep burning a core and memory
for as long as it likes).  So each server process (each gunicorn worker) keeps a small pool
of child processes forked from itself: the in-memory store is shared copy-on-write, a fast
query costs one pipe round trip (~0.1 ms), and a query past its deadline is answered with a
timeout while its child is killed (SIGKILL) and replaced by a fresh fork.

Children are forked lazily in the process that uses the pool (after gunicorn forked its
workers), at most `size` of them; a request that finds none free waits, and the wait counts
against its deadline.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import resource
import signal
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

_FORK = multiprocessing.get_context("fork")
MAX_DEMOTED = 4  # long-running (demoted) queries that may run beside `size` normal ones, per pool


class QueryTimeoutError(RuntimeError):
    """The query did not finish before its deadline (its worker was killed)."""


class WorkerDiedError(RuntimeError):
    """The worker process died while running the query (out of memory, crash)."""


def _vm_size() -> int:
    """This process's virtual memory size in bytes (0 when unknown)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _limit_memory(extra_mb: int) -> None:
    """Lets the child grow by at most `extra_mb` MiB of address space (an allocation past it fails
    and the child dies: the parent answers 503 instead of the machine running out of memory)."""

    current = _vm_size()
    if extra_mb <= 0 or current <= 0:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = current + extra_mb * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _child_main(
    conn: Connection, target: Callable[..., Any], inherited: list[Connection], memory_mb: int = 0
) -> None:
    for other in inherited:  # other workers' pipes, inherited through fork
        with contextlib.suppress(OSError):
            other.close()
    _limit_memory(memory_mb)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    while True:
        try:
            args, kwargs = conn.recv()
        except (EOFError, OSError):
            os._exit(0)
        try:
            reply = ("ok", target(*args, **kwargs))
        except Exception as exc:  # noqa: BLE001 - every failure goes back to the caller
            reply = ("error", exc)
        try:
            conn.send(reply)
        except (EOFError, OSError):
            os._exit(0)
        except Exception as exc:  # noqa: BLE001 - an exception that does not pickle
            conn.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))


class _Worker:
    __slots__ = ("conn", "process")

    def __init__(self, target: Callable[..., Any], inherited: list[Connection], memory_mb: int = 0) -> None:
        parent, child = _FORK.Pipe(duplex=True)
        self.process = _FORK.Process(
            target=_child_main, args=(child, target, [*inherited, parent], memory_mb), daemon=True,
            name="citykg-sparql",
        )
        self.process.start()
        child.close()
        self.conn = parent

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.close()
        with contextlib.suppress(OSError, AttributeError, ValueError):
            os.kill(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(OSError, AssertionError, ValueError):
            self.process.join(1.0)


class ProcessPool:
    """At most `size` forked children that run `target(*args, **kwargs)` with a deadline
    (and, when `memory_mb` > 0, at most that much memory beyond what they were forked with)."""

    def __init__(self, target: Callable[..., Any], size: int = 2, memory_mb: int = 0,
                 demote_after: float = 0.0) -> None:
        self.target = target
        self.size = max(1, size)
        self.memory_mb = memory_mb
        # A query still running after `demote_after` s gets the lowest CPU priority (nice 19) and no
        # longer counts against `size` (at most MAX_DEMOTED more children): runaway queries cannot starve
        # pages or other queries of CPU or of query workers. Its child is replaced afterwards.
        self.demote_after = demote_after
        self._demoted = 0
        self._lock = threading.Condition()
        self._pid = os.getpid()
        self._idle: list[_Worker] = []
        self._all: list[_Worker] = []

    def _reset_after_fork(self) -> None:
        # A pool inherited through fork (gunicorn) must not use its parent's children.
        self._pid = os.getpid()
        self._idle, self._all = [], []
        self._demoted = 0
        self._lock = threading.Condition()

    def _acquire(self, deadline: float) -> _Worker:
        if os.getpid() != self._pid:
            self._reset_after_fork()
        with self._lock:
            while True:
                if self._idle:
                    return self._idle.pop()
                if len(self._all) - self._demoted < self.size and len(self._all) < self.size + MAX_DEMOTED:
                    worker = _Worker(self.target, [w.conn for w in self._all], self.memory_mb)
                    self._all.append(worker)
                    return worker
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise QueryTimeoutError("every query worker stayed busy until the deadline")
                self._lock.wait(remaining)

    def _release(self, worker: _Worker, *, healthy: bool) -> None:
        if not healthy:
            # SIGKILL, then wait for the exit in the background: a child that allocated a lot takes up to a
            # second to go, and neither this answer (the 503) nor the other requests should wait for it
            threading.Thread(target=worker.kill, daemon=True, name="citykg-sparql-reaper").start()
        with self._lock:
            if healthy:
                self._idle.append(worker)
            elif worker in self._all:
                self._all.remove(worker)
            self._lock.notify()

    def warm(self) -> None:
        """Forks one child now (so that the first query does not pay for the fork)."""
        worker = self._acquire(time.monotonic() + 60)
        self._release(worker, healthy=True)

    def call(self, *args: Any, timeout: float, **kwargs: Any) -> Any:
        deadline = time.monotonic() + timeout
        worker = self._acquire(deadline)
        healthy = demoted = False
        try:
            worker.conn.send((args, kwargs))
            ready = False
            if 0 < self.demote_after < deadline - time.monotonic():
                ready = worker.conn.poll(self.demote_after)
                if not ready:
                    demoted = self._demote(worker)
            if not ready and not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                raise QueryTimeoutError(f"the query did not finish within {timeout:g} s")
            status, value = worker.conn.recv()
            healthy = not demoted  # a niced child cannot be given its priority back: replace it
        except (EOFError, OSError, BrokenPipeError) as exc:
            raise WorkerDiedError("the query worker died (the query may need too much memory)") from exc
        finally:
            if demoted:
                with self._lock:
                    self._demoted -= 1
            self._release(worker, healthy=healthy)
        if status == "error":
            raise value
        return value

    def _demote(self, worker: _Worker) -> bool:
        try:
            os.setpriority(os.PRIO_PROCESS, worker.process.pid, 19)
        except (OSError, AttributeError, ValueError):
            return False
        with self._lock:
            self._demoted += 1
            self._lock.notify()  # a request waiting for a worker may fork one now
        return True

    def close(self) -> None:
        with self._lock:
            for worker in self._all:
                worker.kill()
            self._all, self._idle = [], []
