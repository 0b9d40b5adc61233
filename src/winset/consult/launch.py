"""``winset serve`` in a process of its own on loopback, ready when :func:`serve_process` returns:
for scripts, benchmarks and tests that talk to a real site over HTTP."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time


def free_port() -> int:
    """A TCP port on loopback that nothing listens on just now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_process(
    database_url: str, port: int, scenario: str = "kuril", timeout: float = 60.0, workers: int = 1
) -> subprocess.Popen:
    """Start ``winset serve SCENARIO`` on ``port`` (with ``workers`` processes) and wait until
    ``/api/health`` answers 200. The process inherits this one's environment, ``WINSET_SECRET_KEY``
    included, and leads a process group of its own (``os.killpg`` reaches its workers too). Raises
    RuntimeError, with the process killed, if it does not answer within ``timeout`` seconds."""
    command = [sys.executable, "-m", "winset", "serve", scenario, "--port", str(port), "--database-url", database_url]
    server = subprocess.Popen(
        [*command, "--workers", str(workers)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/api/health")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    os.killpg(server.pid, signal.SIGKILL)
    server.wait()
    raise RuntimeError(f"winset serve did not answer on port {port} within {timeout:g} s")
