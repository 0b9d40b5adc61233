"""Reading an uploaded Polis export (a zip) without trusting it: only the export's own files, by
exact name, each inflated in chunks and counted as it is written, within limits on the inflated
size, the ratio of inflated to compressed bytes and the number of lines, so that a small archive
that inflates to gigabytes (a zip bomb) is refused after at most ``MAX_INFLATED`` bytes.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import BinaryIO

from fastapi import HTTPException

from ..polis import FILES

MAX_INFLATED = 64 * 1024 * 1024  # bytes, all the export's files together
MAX_RATIO = 200  # inflated bytes per compressed byte, per file (CSV compresses ten to thirty times)
MAX_LINES = 2_000_000  # lines per file
MAX_COLUMNS = 20_000  # columns of a file (participants-votes.csv has one per statement)
MAX_HEADER = 1024 * 1024  # bytes of a header line read to count its columns
CHUNK = 1024 * 1024


def unpack_polis(upload: BinaryIO, folder: Path) -> list[str]:
    """Write the Polis files of the zip ``upload`` into ``folder``; the names written. A file that
    is not a zip is a 400; an archive over a limit a 413, with the limit named."""
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError):
        raise HTTPException(400, "the file is not a zip archive") from None
    written, total = [], 0
    with archive:
        members = {Path(info.filename).name: info for info in archive.infolist() if not info.is_dir()}
        for name in FILES:
            info = members.get(name)  # by exact file name: no path inside the zip is followed
            if info is None:
                continue
            if info.file_size > MAX_INFLATED or info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise _too_large(name)
            lines = 0
            try:
                with archive.open(info) as source, (folder / name).open("wb") as target:
                    while chunk := source.read(CHUNK):
                        total += len(chunk)
                        lines += chunk.count(b"\n")
                        if total > MAX_INFLATED or lines > MAX_LINES:  # sizes in the archive may lie
                            raise _too_large(name)
                        target.write(chunk)
            except (
                zipfile.BadZipFile,
                zipfile.LargeZipFile,
                NotImplementedError,
                RuntimeError,
                OSError,
                EOFError,
            ) as error:
                # RuntimeError: an encrypted member
                raise HTTPException(400, f"{name} in the zip cannot be read: {error}") from None
            with (folder / name).open("rb") as written_file:
                header = written_file.readline(MAX_HEADER)
            columns = header.count(b",") + 1
            if columns > MAX_COLUMNS or (len(header) == MAX_HEADER and not header.endswith(b"\n")):
                raise HTTPException(
                    413, f"{name} in the zip has {columns:,} columns: an import may have {MAX_COLUMNS:,}"
                )
            written.append(name)
    return written


def _too_large(name: str) -> HTTPException:
    return HTTPException(
        413,
        f"{name} in the zip is larger than an import may be: at most {MAX_INFLATED // 2**20} MB inflated, "
        f"{MAX_LINES:,} lines, {MAX_RATIO} times its compressed size",
    )
