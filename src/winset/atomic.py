"""Writing a file whole or not at all: the bytes go to a temporary file beside the target, which is
then moved over it in one step, so a failed write leaves the old file (or no file) as it was."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    """Put ``data`` at ``path``, keeping a replaced file's permissions (a new file gets 0o666 less
    the umask, as any new file does)."""
    replace_atomic(path, lambda temporary: temporary.write_bytes(data))


def replace_atomic(path: Path, write: Callable[[Path], object]) -> None:
    """Call ``write(temporary)`` on a temporary file beside ``path`` (same folder, same suffix, so
    that writers choosing a format by suffix choose the right one), then move it over ``path``
    with a replaced file's permissions; on any failure the temporary file is removed."""
    mode = _mode(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix or ".tmp", dir=path.parent)
    os.close(handle)
    try:
        write(Path(temporary))
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _mode(path: Path) -> int:
    if path.exists():
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
