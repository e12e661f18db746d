"""Deterministic writers for the demo feed: CSV master data, gzip JSON Lines events.

Byte-identical output for the same input needs a fixed gzip header (no file name, a
zero modification time) and a fixed compression level; the bytes then depend only
on the zlib build, which is the same for two runs on one machine.
"""

from __future__ import annotations

import csv
import gzip
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Final

COMPRESS_LEVEL: Final = 6
"""zlib's own default: most of level 9's ratio at a fraction of its time."""
_FLUSH_LINES: Final = 4096
_encode: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def write_csv(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> int:
    """Write an RFC 4180 CSV file (CRLF line ends); return the number of rows."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow("" if value is None else value for value in row)
            count += 1
    return count


class JsonLinesGz:
    """A gzip JSON Lines file written in large chunks, with a reproducible header."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._raw = path.open("wb")
        self._gz = gzip.GzipFile(
            filename="",
            mode="wb",
            fileobj=self._raw,
            mtime=0,
            compresslevel=COMPRESS_LEVEL,
        )
        self._lines: list[str] = []
        self.counts: Counter[str] = Counter()

    def write(self, record: dict[str, object]) -> None:
        """Append one record; its `kind` is counted for the summary."""
        self.write_line(str(record["kind"]), _encode(record))

    def write_line(self, kind: str, line: str) -> None:
        """Append one record already encoded as a JSON object (the hot path)."""
        self.counts[kind] += 1
        self._lines.append(line)
        if len(self._lines) >= _FLUSH_LINES:
            self._flush()

    def close(self) -> None:
        self._flush()
        self._gz.close()
        self._raw.close()

    def _flush(self) -> None:
        if self._lines:
            self._gz.write(("\n".join(self._lines) + "\n").encode("utf-8"))
            self._lines.clear()
