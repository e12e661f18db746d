"""Read logistics feed files (JSON Lines or CSV, gzip or not) as a stream of records.

Each record comes out either validated (`Record`) or rejected (`Rejection`, with the
file, the line and the field at fault, and the record as it was sent). Files are read
line by line, so memory stays flat whatever their size.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Final, cast

import orjson

from graphsvc.errors import InvalidInput
from graphsvc.model import KINDS
from graphsvc.records import Record, Rejection, Source
from loaders.validate import validate

FEED_SUFFIXES: Final = (".jsonl", ".csv")
MAX_LINE_BYTES: Final = 1 << 20
"""A longer line is rejected rather than read into memory whole.

A CSV row, which a quoted cell may spread over several lines, is held to as many
characters.
"""
MAX_NESTING: Final = 32
"""Arrays and objects nested deeper on one line are rejected before parsing."""

_SKIP_CHUNK: Final = 1 << 16
"""Characters read at a time past a row too long to keep."""
_GZIP_MAGIC = b"\x1f\x8b"
_GZIP_WBITS: Final = 16 + zlib.MAX_WBITS
"""What tells zlib to expect a gzip header and trailer."""
_LONG_DIGITS: Final = re.compile(rb"[0-9]{19}")
"""Digits enough for an integer beyond 64 bits, which orjson would read as a float."""
_KIND_FILES: Final = {
    ("parties" if kind == "party" else f"{kind}s"): kind for kind in KINDS
}
"""CSV file name stems that tell the kind of a file without a `kind` column."""

Outcome = Record | Rejection

# The csv module bounds a cell at 131,072 characters on its own; rows are bounded
# here instead, so that a cell may be as long as a JSON line.
csv.field_size_limit(max(csv.field_size_limit(), MAX_LINE_BYTES))


def feed_format(path: Path) -> str | None:
    """`jsonl` or `csv` for a feed file name (optionally `.gz`), else None."""
    name = path.name.lower().removesuffix(".gz")
    for suffix in FEED_SUFFIXES:
        if name.endswith(suffix):
            return suffix[1:]
    return None


def read_feed(path: Path) -> Iterator[Outcome]:
    """Stream the records of one feed file.

    Raises InvalidInput, without the file's name (the caller reports it), when the
    file as a whole cannot be read (unknown format, a CSV whose kind cannot be told);
    a bad record only yields a Rejection.
    """
    fmt = feed_format(path)
    if fmt is None:
        raise InvalidInput("not a feed file (.jsonl or .csv, maybe .gz)")
    with open_bytes(path) as stream:
        if fmt == "jsonl":
            yield from read_jsonl(stream, path.name)
        else:
            yield from read_csv(stream, path.name, _stem_kind(path))


def open_bytes(path: Path) -> IO[bytes]:
    """The file's bytes, decompressed when it is gzip whatever its name says."""
    with path.open("rb") as probe:
        magic = probe.read(2)
    if magic == _GZIP_MAGIC:
        # GzipFile is a binary file object; typeshed only does not say IO[bytes].
        return cast(IO[bytes], gzip.GzipFile(path, "rb"))
    return path.open("rb")


def read_head(path: Path, size: int) -> bytes:
    """The first `size` bytes of the file's content, decompressed when it is gzip.

    A gzip file cut short gives what its first bytes decompress to, so that its
    content can still be recognised and its loading report the break.
    """
    with path.open("rb") as stream:
        head = stream.read(size)
    if not head.startswith(_GZIP_MAGIC):
        return head
    try:
        return zlib.decompressobj(_GZIP_WBITS).decompress(head, size)
    except zlib.error:
        return b""


def _stem_kind(path: Path) -> str | None:
    stem = path.name.lower().removesuffix(".gz").removesuffix(".csv")
    return _KIND_FILES.get(stem)


def read_jsonl(stream: IO[bytes], name: str) -> Iterator[Outcome]:
    """Records of a JSON Lines stream; blank lines are skipped."""
    for number, line in enumerate(_lines(stream), start=1):
        source = Source(name, number)
        if line is None:
            # Not read, so not kept: the rejects file gets a blank line for it.
            reason = f"line is longer than {MAX_LINE_BYTES} bytes"
            yield Rejection(source, reason, None, "")
            continue
        if not line.strip():
            continue
        raw = line.rstrip(b"\r\n")
        try:
            yield _jsonl_record(raw, source)
        except InvalidInput as err:
            yield Rejection(source, err.message, err.field, _as_text(raw))


def _lines(stream: IO[bytes]) -> Iterator[bytes | None]:
    """The stream's lines; None for one longer than `MAX_LINE_BYTES`, left unread."""
    while line := stream.readline(MAX_LINE_BYTES + 1):
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            # Skip the rest of the overlong line so the next one starts clean.
            while (rest := stream.readline(MAX_LINE_BYTES)) and not rest.endswith(
                b"\n"
            ):
                pass
            yield None
            continue
        yield line


def _jsonl_record(raw: bytes, source: Source) -> Record:
    obj = _parse_fast(raw)
    if obj is None:
        obj = _parse_checked(raw)
    if not isinstance(obj, dict):
        raise InvalidInput("line is not a JSON object")
    kind = obj.pop("kind", None)
    if kind is None or kind == "":
        raise InvalidInput("kind is missing", "kind")
    if not isinstance(kind, str):
        raise InvalidInput("kind must be text", "kind")
    return validate(obj, kind, source)


def _parse_fast(raw: bytes) -> object | None:
    """The line parsed by orjson, or None to leave it to `_parse_checked`.

    orjson accepts no line that the standard parser refuses, and refuses some it takes
    (NaN, a lone surrogate, a number out of float range), so the careful way decides
    those and words every error. orjson also reads an integer beyond 64 bits as a
    float where json keeps it exact, so a line with a float and a long run of digits
    goes the careful way too.
    """
    if _nesting(raw) > MAX_NESTING:
        return None
    try:
        obj: object = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if _has_float(obj) and _LONG_DIGITS.search(raw) is not None:
        return None
    return obj


def _has_float(obj: object) -> bool:
    """Whether a parsed value holds a float anywhere (most records hold none)."""
    if isinstance(obj, dict):
        return _any_float(obj.values())
    if isinstance(obj, list):
        return _any_float(obj)
    return isinstance(obj, float)


def _any_float(values: Iterable[object]) -> bool:
    # A plain loop: any() over a generator costs several times more per line here.
    for value in values:  # noqa: SIM110
        # Strings are most values; skipping them first keeps the check cheap.
        if type(value) is not str and _has_float(value):
            return True
    return False


def _parse_checked(raw: bytes) -> object:
    """The line parsed by the standard parser; InvalidInput says what is wrong."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InvalidInput(f"line is not UTF-8 (byte {err.start + 1})") from None
    if _nesting(raw) > MAX_NESTING:
        raise InvalidInput(
            f"line nests arrays and objects more than {MAX_NESTING} deep"
        )
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as err:
        raise InvalidInput(
            f"line is not JSON: {err.msg} at column {err.colno}"
        ) from None
    if isinstance(obj, dict) and b"\\u" in raw:
        _refuse_lone_surrogates(obj)
    return obj


def _refuse_lone_surrogates(obj: dict[str, object]) -> None:
    """Refuse a value holding half of a UTF-16 pair (`\\ud800`), which is no text.

    json reads such an escape without complaint, but no store can keep the result.
    """
    for key, value in obj.items():
        if not _is_text(key) or not _is_text(value):
            name = key.encode("utf-8", "backslashreplace").decode()
            raise InvalidInput(
                f"{name} holds an escaped lone UTF-16 surrogate, which is not text",
                name,
            )


def _is_text(value: object) -> bool:
    """Whether every string in `value` can be written as UTF-8."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(_is_text(k) and _is_text(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_is_text(v) for v in value)
    return True


def _nesting(raw: bytes) -> int:
    """How deep arrays and objects nest on a line (outside strings)."""
    if raw.count(b"[") + raw.count(b"{") <= MAX_NESTING:
        return 0  # too few brackets to go deeper; most lines stop here
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return deepest


def read_csv(stream: IO[bytes], name: str, stem_kind: str | None) -> Iterator[Outcome]:
    """Records of a CSV stream with a header row; RFC 4180 quoting, BOM allowed."""
    text = io.TextIOWrapper(
        stream, encoding="utf-8-sig", errors="surrogateescape", newline=""
    )
    lines = _CsvLines(text)
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader, None)
    except csv.Error as err:
        raise InvalidInput(f"bad CSV quoting in the header: {err}") from None
    except _LongRow:
        raise InvalidInput(
            f"the header is longer than {MAX_LINE_BYTES} characters"
        ) from None
    if header is None:
        return
    for number, cell in enumerate(header, start=1):
        if not _is_text(cell):
            raise InvalidInput(f"the header is not UTF-8 (column {number})")
    columns = [c.strip() for c in header]
    _refuse_repeated_columns(columns)
    head = _csv_line(header)
    if "kind" not in columns and stem_kind is None:
        raise InvalidInput(
            "no 'kind' column, and the file name does not name a kind "
            f"({', '.join(f'{k}.csv' for k in _KIND_FILES)})"
        )

    start = lines.number + 1
    while True:
        source = Source(name, start)
        lines.new_row()
        try:
            row = next(reader)
        except StopIteration:
            return
        except _LongRow:
            lines.skip_row()
            reason = f"row is longer than {MAX_LINE_BYTES} characters"
            if lines.number > start:
                reason += f" (lines {start} to {lines.number}, not read)"
            start = lines.number + 1
            yield Rejection(source, reason, None, "", head)
            continue
        except csv.Error as err:
            # Strict quoting: a stray quote, or one never closed, which would
            # otherwise swallow the lines after it into one cell.
            reason = f"bad CSV quoting: {err}"
            if "end of data" in str(err):
                reason = (
                    "bad CSV quoting: a quoted cell is never closed, so this line "
                    f"and the {lines.number - start} after it were not read"
                )
            start = lines.number + 1
            yield Rejection(source, reason, None, "", head)
            continue
        start = lines.number + 1
        if not any(cell.strip() for cell in row):
            continue
        try:
            yield _csv_record(columns, row, stem_kind, source)
        except InvalidInput as err:
            yield Rejection(source, err.message, err.field, _csv_line(row), head)


class _LongRow(Exception):
    """A CSV row ran past `MAX_LINE_BYTES` characters."""


class _CsvLines:
    """A CSV text's lines, for the csv reader, with each row's length bounded.

    `number` counts the lines begun so far. A row that grows too long stops the
    reader with `_LongRow` (the reader starts afresh on its next row), and
    `skip_row` reads past the rest of it without keeping it.
    """

    def __init__(self, text: IO[str]) -> None:
        self.number = 0
        self._text = text
        self._length = 0  # characters of the current row
        self._quotes = 0  # quote marks in it, which pair up when it is complete
        self._ended = True  # whether the last piece read ended its line

    def __iter__(self) -> _CsvLines:
        return self

    def __next__(self) -> str:
        piece = self._read(MAX_LINE_BYTES + 1 - self._length)
        if not piece:
            raise StopIteration
        self._length += len(piece)
        if self._length > MAX_LINE_BYTES:
            raise _LongRow
        return piece

    def new_row(self) -> None:
        self._length = self._quotes = 0

    def skip_row(self) -> None:
        """Read to the end of the line, and on while a quoted cell is left open."""
        while not (self._ended and self._quotes % 2 == 0):
            if not self._read(_SKIP_CHUNK):
                return

    def _read(self, limit: int) -> str:
        piece = self._text.readline(limit)
        if piece and self._ended:
            self.number += 1  # the piece begins a line
        self._quotes += piece.count('"')
        self._ended = piece.endswith(("\n", "\r"))
        return piece


def _refuse_repeated_columns(columns: list[str]) -> None:
    """A column named twice would let one of its cells overwrite the other unseen.

    Unnamed columns are let through: spreadsheets export empty ones at the end.
    """
    first: dict[str, int] = {}
    for number, column in enumerate(columns, start=1):
        if column in first and column:
            raise InvalidInput(
                f"the header names the column '{column}' twice "
                f"(columns {first[column]} and {number})"
            )
        first[column] = number


def _csv_record(
    columns: list[str], row: list[str], stem_kind: str | None, source: Source
) -> Record:
    if len(row) != len(columns):
        raise InvalidInput(f"row has {len(row)} cells, the header has {len(columns)}")
    for cell in row:
        _check_utf8(cell)
    fields = dict(zip(columns, row, strict=True))
    kind = fields.pop("kind", "") or stem_kind
    if not kind:
        raise InvalidInput("kind is missing", "kind")
    return validate(fields, kind, source)


def _check_utf8(cell: str) -> None:
    try:
        cell.encode("utf-8")
    except UnicodeEncodeError as err:
        raise InvalidInput(f"row is not UTF-8 (at '{cell[: err.start]}')") from None


def _as_text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="surrogateescape")


def _csv_line(row: Iterable[str]) -> str:
    """A row re-encoded as one CSV line, without its line break."""
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(list(row))
    return out.getvalue()
