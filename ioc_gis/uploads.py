"""Copying an uploaded stream to disk under a byte cap: what every upload path (layer imports,
rasters) needs before it looks at the file. Each app turns the outcomes into its own errors."""
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

COPY_CHUNK = 1024 * 1024


class OverCap(Exception):  # noqa: N818 - an outcome the caller names in its own error
    """The stream went past the cap; `written` bytes had been read by then."""

    def __init__(self, written: int) -> None:
        super().__init__(written)
        self.written = written


def copy_capped(source: BinaryIO, target: Path, cap: int, *,
                head_check: Callable[[bytes], None] | None = None) -> int:
    """Copy `source` to `target` chunk by chunk, stopping past `cap` bytes (OverCap); the first
    chunk goes through `head_check` before anything is written. Bytes written (0: empty)."""
    written = 0
    with target.open("wb") as out:
        while chunk := source.read(COPY_CHUNK):
            if written == 0 and head_check is not None:
                head_check(chunk)
            written += len(chunk)
            if written > cap:
                raise OverCap(written)
            out.write(chunk)
    return written
