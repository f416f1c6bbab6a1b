"""A gunicorn gthread worker that slow clients cannot starve (slowloris).

gunicorn's gthread worker gives a connection a thread as soon as its first byte arrives, and the
thread then reads the request head with blocking reads: a few dozen clients that send their
headers a line a second hold every thread, and everyone else waits (tests/test_attacks.py).

This worker reads what a connection has sent without blocking and keeps it; the connection gets
a thread only once its request head is complete (an empty line, or 64 KiB, past which gunicorn's
own limits answer).  Until then it waits in the poller like an idle keep-alive connection.  A head
that is not complete within ``HEAD_TIMEOUT`` seconds of its first byte closes the connection.

Used by `citykg serve` (server/serve.py: ``worker_class``).  Bodies are read by the application
with the usual blocking reads (the SPARQL endpoint refuses large ones by Content-Length first).
"""

from __future__ import annotations

import contextlib
import socket
import struct
import time

from gunicorn.workers.gthread import _DEFER, ThreadWorker

HEAD_TIMEOUT = 10.0  # seconds for a whole request head, from its first byte
_PEEK = 64 * 1024


class SlowClientSafeWorker(ThreadWorker):
    def handle(self, conn):
        if self.cfg.is_ssl:  # TLS: bytes on the socket are not the head; keep gunicorn's behaviour
            return super().handle(conn)
        try:
            complete = self._head_complete(conn)
        except OSError:
            return super().handle(conn)  # gunicorn reports and closes
        if complete:
            conn.citykg_head_since = None
            return super().handle(conn)
        since = getattr(conn, "citykg_head_since", None)
        if since is None:
            conn.citykg_head_since = since = time.monotonic()
        if time.monotonic() - since > HEAD_TIMEOUT:
            # closed here, at once: gunicorn's graceful close would linger on the main thread, reading
            # what the slow client keeps sending
            with contextlib.suppress(OSError):
                conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            with contextlib.suppress(OSError):
                conn.sock.close()
            return False
        conn.data_ready = False
        return _DEFER  # back to the poller, no thread held, until more bytes arrive

    @staticmethod
    def _head_complete(conn) -> bool:
        conn.init()  # the parser, whose buffer keeps what was read so far (idempotent)
        unreader = conn.parser.unreader
        held = unreader.take_buffered()
        try:
            while len(held) < _PEEK:
                try:
                    data = conn.sock.recv(_PEEK - len(held), socket.MSG_DONTWAIT)
                except (BlockingIOError, InterruptedError):
                    break
                if not data:
                    return True  # the client closed: gunicorn deals with it
                held += data
        finally:
            if held:
                unreader.unread(held)
        if not held:
            return False
        return b"\r\n\r\n" in held or b"\n\n" in held or len(held) >= _PEEK
