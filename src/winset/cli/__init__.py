"""The ``winset`` command line: every command, its options, and what it prints.

The top layer of the package: nothing below imports it."""

from .app import app, main

__all__ = ["app", "main"]
