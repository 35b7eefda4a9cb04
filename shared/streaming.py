"""Building large answers piece by piece: bounded memory, and the event loop never held long.

An export is produced in pages; after each page the producer hands its bytes to the response
and gives the loop a turn (`cooperate`), so other requests of the same process are served
between pages. What must be written after something else but is produced at the same time
(a second table read in the same pass) waits in a `Spool`, on disk once it is large.
`ZipStream` writes a zip archive to a response as its entries are produced: the standard
`zipfile` writes to unseekable outputs with data descriptors, so no entry is held whole.
"""

from __future__ import annotations

import asyncio
import io
import tempfile
import time
import zipfile
from collections.abc import AsyncIterator
from typing import IO

SPOOL_IN_MEMORY = 1 << 20  # a spool moves to a temporary file beyond 1 MiB
CHUNK = 1 << 16


async def cooperate() -> None:
    """Give the event loop a turn between two pieces of CPU work."""
    await asyncio.sleep(0)


class Spool:
    """Bytes written now and read back once, in chunks, later: memory first, then disk."""

    def __init__(self) -> None:
        # Closed by `close()` or at the end of `chunks()`, like the spool that owns it.
        self._file: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
        self.size = 0

    def write(self, data: bytes) -> None:
        self._file.write(data)
        self.size += len(data)

    async def chunks(self, size: int = CHUNK) -> AsyncIterator[bytes]:
        """What was written, in chunks of `size`; the spool is closed afterwards."""
        try:
            self._file.seek(0)
            while chunk := self._file.read(size):
                yield chunk
                await cooperate()
        finally:
            self.close()

    def close(self) -> None:
        self._file.close()


class _Sink(io.RawIOBase):
    """An unseekable output that keeps what is written until it is taken."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._position = 0

    def writable(self) -> bool:
        return True

    def write(self, data: object) -> int:
        chunk = bytes(data)  # type: ignore[call-overload]
        self._parts.append(chunk)
        self._position += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self._position

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


class ZipStream:
    """A zip archive written entry by entry; `take()` returns the bytes produced so far.

    One entry is open at a time (`open(name)`, write to it, close it), as `zipfile` requires.
    """

    def __init__(self, compression: int = zipfile.ZIP_DEFLATED) -> None:
        self._sink = _Sink()
        self._compression = compression
        self._zip = zipfile.ZipFile(self._sink, mode="w", compression=compression)

    def open(self, name: str) -> IO[bytes]:
        entry = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
        entry.compress_type = self._compression
        entry.external_attr = 0o644 << 16  # readable files once unpacked (0 would be no rights)
        return self._zip.open(entry, mode="w", force_zip64=True)

    def take(self) -> bytes:
        return self._sink.take()

    def close(self) -> bytes:
        """Write the central directory; the archive's last bytes."""
        self._zip.close()
        return self._sink.take()
