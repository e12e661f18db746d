"""The text of a JSON document, read from a byte stream in chunks, a value at a time.

The standard library's decoder parses one value from a string at a given place
(`JSONDecoder.raw_decode`), in C. Fed one event at a time, it reads an event list
several times as fast as a streaming parser that builds each value through Python
callbacks, and the text in memory stays about one chunk long. A value cut at the end
of a chunk fails to decode; the text is then extended and the value decoded again.

Numbers with a fraction or exponent become `Decimal`, so that no digit is lost, and
`NaN` and `Infinity`, which are not JSON, are refused. An escaped UTF-16 surrogate
that is not half of a pair cannot be Unicode text; it is read as `?`.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from decimal import Decimal
from json.scanner import make_scanner
from typing import Final, NoReturn, Protocol

CHUNK_CHARS: Final = 1 << 16
"""How much text a read adds, at least."""

_BLANKS: Final = " \t\n\r"
_WHITESPACE: Final = re.compile(f"[{_BLANKS}]*")
_SURROGATE_ESCAPE: Final = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE: Final = re.compile("[\ud800-\udfff]")
"""A surrogate left in decoded text: the decoder joins those that form a pair."""
_CUT_MARGIN: Final = 16
"""A decoding error this close to the end of the text may come from a value being cut
there (an unfinished literal or escape) rather than from a mistake, and a value that
ends this close to it may not be whole."""


class ByteSource(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


class JsonSyntaxError(ValueError):
    """The text is not JSON; `message` says why and `line`, `column` (1-based) where."""

    def __init__(self, message: str, line: int, column: int) -> None:
        # The decoder's "Unterminated string starting at" then reads as one sentence.
        place = f"at line {line}, column {column}"
        super().__init__(f"{message.removesuffix(' at')} {place}")
        self.message = message
        self.line = line
        self.column = column


class JsonText:
    """A cursor over the text of a UTF-8 JSON document (a leading BOM is dropped).

    Until `release` is called all text read is kept, so `rewind` can go back to the
    start; after it, text before the cursor is let go as the reading moves on.
    """

    def __init__(self, stream: ByteSource, *, chunk_chars: int = CHUNK_CHARS) -> None:
        self._stream = stream
        self._chunk = chunk_chars
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")()
        # The decoder's C scanner itself, without raw_decode's Python frame around it.
        decoder = json.JSONDecoder(parse_float=Decimal, parse_constant=_refuse_constant)
        # typeshed types the argument as a scanner; it takes the decoder's settings.
        self._scan = make_scanner(decoder)  # type: ignore[arg-type]
        self._text = ""
        self._at = 0
        self._ended = False
        self._bad_bytes: UnicodeDecodeError | None = None
        self._holding = True
        # Whether the text may hold an escaped surrogate; it rarely does.
        self._surrogates = False
        # Where the text kept starts in the document, for messages.
        self._lines_dropped = 0
        self._column_dropped = 0

    def peek(self) -> str:
        """The next character that is not whitespace, left unread; "" at the end."""
        text, at = self._text, self._at
        # Compact JSON has no whitespace between tokens: look before matching.
        if at < len(text) and text[at] not in _BLANKS:
            return text[at]
        while True:
            blank = _WHITESPACE.match(self._text, self._at)
            assert blank is not None  # It matches the empty string too.
            self._at = blank.end()
            if self._at < len(self._text):
                return self._text[self._at]
            if not self._extend(self._chunk):
                return ""

    def skip(self, char: str) -> bool:
        """Read `char` if it comes next (after whitespace); whether it did."""
        if self.peek() == char:
            self._at += 1
            return True
        return False

    def take(self, char: str) -> None:
        """Read `char`, which must come next (after whitespace)."""
        if not self.skip(char):
            found = self.peek() or "the end of the document"
            self.fail(f"expected '{char}', found {found!r}")

    def items(self) -> Iterator[object]:
        """The values of the list being read (its `[` read), up to and with its `]`."""
        if self.skip("]"):
            return
        while True:
            yield self.value()
            # Compact JSON puts the comma right after the value: look for it first.
            text, at = self._text, self._at
            if at < len(text) and text[at] == ",":
                self._at += 1
            elif not self.skip(","):
                break
        self.take("]")

    def value(self) -> object:
        """Read the next JSON value."""
        self.peek()
        while True:
            try:
                value, end = self._scan(self._text, self._at)
            except (StopIteration, json.JSONDecodeError) as err:
                message, at = _fault(err)
                if not self._may_be_cut(message, at) or not self._extend_value():
                    self._fail_at(message, at)
                continue
            except _ConstantRefused as err:
                self._fail_at(str(err), self._at)
            except RecursionError:
                self._fail_at("values nested too deeply", self._at)
            # A number that ends with the text, or just before a "." or "e" that does,
            # may go on in the next chunk.
            if end > len(self._text) - _CUT_MARGIN and self._extend_value():
                continue
            break
        if self._surrogates and _SURROGATE_ESCAPE.search(self._text, self._at, end):
            value = _mend_surrogates(value)
        self._at = end
        return value

    def release(self) -> None:
        """Stop keeping the text already read; `rewind` is no longer possible."""
        self._holding = False

    def rewind(self) -> None:
        """Go back to the start of the document (only while the text is held)."""
        if not self._holding:
            raise RuntimeError("the text before the cursor is no longer held")
        self._at = 0

    def fail(self, message: str) -> NoReturn:
        """Raise JsonSyntaxError for `message` at the cursor."""
        self._fail_at(message, self._at)

    def _fail_at(self, message: str, at: int) -> NoReturn:
        if self._bad_bytes is not None and self._near_end(message, at):
            # The text stops short at the bytes that are not UTF-8; that is the fault.
            message = f"bytes that are not UTF-8 ({self._bad_bytes.reason})"
            at = len(self._text)
        before = self._text[:at]
        newlines = before.count("\n")
        line = self._lines_dropped + newlines + 1
        # On the first line kept, the columns of the text dropped count too.
        start = before.rfind("\n") + 1 if newlines else -self._column_dropped
        raise JsonSyntaxError(message, line, at - start + 1)

    def _may_be_cut(self, message: str, at: int) -> bool:
        return not self._ended and self._near_end(message, at)

    def _near_end(self, message: str, at: int) -> bool:
        """Whether an error could come from the text ending (too early) after `at`."""
        # A string is unterminated only when the text ends inside it.
        return message.startswith("Unterminated string") or (
            at >= len(self._text) - _CUT_MARGIN
        )

    def _extend_value(self) -> bool:
        """Add text for a value that goes past the end; False at the end of input.

        The text added grows with the value's length, so a very long value is decoded
        a few times, not once per chunk.
        """
        return self._extend(max(self._chunk, len(self._text) - self._at))

    def _extend(self, wanted: int) -> bool:
        """Add about `wanted` characters of text; False if the input has ended."""
        if self._holding:
            # All text is kept, so it is copied on each extension: double it.
            wanted = max(wanted, len(self._text))
        parts = []
        added = 0
        while added < wanted and not self._ended:
            data = self._stream.read(max(wanted - added, self._chunk))
            part = self._decode_bytes(data)
            parts.append(part)
            added += len(part)
        if not added:
            return False
        if not self._holding and self._at:
            self._drop(self._at)
        # An escape cut by the end of the text shows once the new text follows it.
        start = max(0, len(self._text) - 5)
        self._text += "".join(parts)
        if not self._surrogates:
            self._surrogates = bool(_SURROGATE_ESCAPE.search(self._text, start))
        return True

    def _decode_bytes(self, data: bytes) -> str:
        try:
            return self._decoder.decode(data, final=not data)
        except UnicodeDecodeError as err:
            # The text up to the bad bytes is still read; they end it, and the error
            # is reported when the reading gets there.
            self._bad_bytes = err
            self._ended = True
            return err.object[: err.start].decode("utf-8")
        finally:
            if not data:
                self._ended = True

    def _drop(self, count: int) -> None:
        dropped = self._text[:count]
        newlines = dropped.count("\n")
        if newlines:
            self._lines_dropped += newlines
            self._column_dropped = count - dropped.rfind("\n") - 1
        else:
            self._column_dropped += count
        self._text = self._text[count:]
        self._at -= count


def _fault(err: StopIteration | json.JSONDecodeError) -> tuple[str, int]:
    """What the scanner found wrong, and where."""
    if isinstance(err, StopIteration):
        # The scanner's way of saying there is no value at `err.value`.
        return "Expecting value", err.value
    return err.msg, err.pos


class _ConstantRefused(ValueError):
    pass


def _refuse_constant(name: str) -> object:
    raise _ConstantRefused(f"{name} is not a JSON value")


def _mend_surrogates(value: object) -> object:
    """`value` with each lone surrogate in its strings (keys too) replaced by `?`."""
    if isinstance(value, str):
        return _SURROGATE.sub("?", value)
    if isinstance(value, dict):
        return {
            _SURROGATE.sub("?", key): _mend_surrogates(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_mend_surrogates(item) for item in value]
    return value
