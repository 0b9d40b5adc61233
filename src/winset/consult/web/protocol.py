"""uvicorn's HTTP protocol (httptools) with a deadline on each request's head, as ``winset serve``
runs it.

uvicorn times out a connection only while it idles between requests (its keep-alive timeout): a
client that opens a connection and sends a request's headers a byte at a time, or never finishes
them, holds it for as long as it likes, and a few thousand such clients use up the server's file
descriptors (slowloris). Here the head of every request must be complete within
``HEAD_SECONDS`` of the connection opening or of the request's first byte, else the connection
is closed, and it may be ``HEAD_BYTES`` long at most (httptools keeps every header line it is
sent, and a head of 160 MB grew a worker by 4 GB), else it is answered 400 and closed. The body's
own time limit is :mod:`.guard`'s, which answers 408; a connection answered before its request's
body was all in (408, 413, a refusal that did not need the body) is closed after the answer, so
that what the client still sends is never waited for.
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HEAD_SECONDS = 10.0  # the time a request's line and headers may take to arrive
HEAD_BYTES = 64 * 1024  # their length at most


class TimedHttpToolsProtocol(HttpToolsProtocol):
    """See the module documentation."""

    _head_deadline: asyncio.TimerHandle | None = None  # armed while a request's head is coming in
    _head_bytes = 0  # bytes received since it started coming in

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        # Counted after parsing: a head that begins in this chunk resets the count
        # (on_message_begin), and the chunk must still count towards it.
        if self._head_deadline is None:
            return
        self._head_bytes += len(data)
        if self._head_bytes > HEAD_BYTES and not self.transport.is_closing():
            self._disarm()
            self.send_400_response(f"The request's headers are longer than {HEAD_BYTES // 1024} KB.")

    def on_response_complete(self) -> None:
        if not self.pipeline and self.cycle is not None and self.cycle.more_body and not self.transport.is_closing():
            self.transport.close()  # answered before its body was all in: the rest is not waited for
        super().on_response_complete()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._head_bytes = 0
        self._head_deadline = self.loop.call_later(HEAD_SECONDS, self._too_slow)

    def _disarm(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _too_slow(self) -> None:
        self._head_deadline = None
        if not self.transport.is_closing():
            self.transport.close()
