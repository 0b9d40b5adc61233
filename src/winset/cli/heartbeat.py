"""Progress as plain lines, for a standard error that is not a terminal (a log, a pipe, a CI job):
the step under way when it starts, then a line every ``SECONDS`` while it lasts (or, for progress
bars, each bar's count), so that a long fit or search (``solve --confidence``) shows it is alive
where a spinner or a bar cannot be drawn."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

from rich.console import Console
from rich.progress import Progress

SECONDS = 5.0


class Heartbeat:
    """A context that says each step on ``console`` and, every ``SECONDS``, how long the current
    one has run; :meth:`step` names the next step."""

    def __init__(
        self, console: Console, seconds: float | None = None, describe: Callable[[], str] | None = None
    ) -> None:
        self.console = console
        self.seconds = SECONDS if seconds is None else seconds
        self.describe = describe  # what to say at each beat, instead of the step and its time
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._text: str | None = None
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._beat, name="winset-heartbeat", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self._done.set()
        self._thread.join()

    def step(self, text: str) -> None:
        with self._lock:
            self._text, self._started = text, time.monotonic()
        self._say(f"{text}...")

    def _beat(self) -> None:
        while not self._done.wait(self.seconds):
            if self.describe is not None:
                self._say(self.describe())
                continue
            with self._lock:
                text, started = self._text, self._started
            if text is not None:
                self._say(f"{text}... ({time.monotonic() - started:.0f} s)")

    def _say(self, line: str) -> None:
        self.console.print(line, markup=False, highlight=False, soft_wrap=True)


class LoggedProgress(Progress):
    """Progress bars that are not drawn; instead, every ``SECONDS``, one line with each started
    bar's description and count."""

    def __init__(self, *columns: Any, console: Console, **options: Any) -> None:
        super().__init__(*columns, console=console, **options, disable=True)
        self._heartbeat = Heartbeat(console, describe=self._counts)

    def _counts(self) -> str:
        started = [t for t in self.tasks if t.started]
        counts = [
            f"{t.description} {t.completed:.0f}" + ("" if t.total is None else f"/{t.total:.0f}") for t in started
        ]
        return "; ".join(counts) or "starting"

    def __enter__(self) -> LoggedProgress:
        super().__enter__()
        self._heartbeat.__enter__()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self._heartbeat.__exit__(kind, error, tb)
        if kind is None and self.tasks:  # the counts as they ended: a log should not stop part-way
            self._heartbeat._say(self._counts())
        super().__exit__(kind, error, tb)
