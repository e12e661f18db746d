"""The JSON text reader of the EPCIS parser: values read whole across chunk ends."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest

from loaders.epcis.jsontext import JsonSyntaxError, JsonText

# Values whose text a chunk end can cut anywhere: numbers, literals, escapes, pairs.
LIST = (
    '[{"a": "urn:epc:id:sgtin:0614141.107346.2017", "n": 12345, "d": 1.50},\n'
    ' "caf\\u00e9 \\ud83d\\ude00", -0.000125e+3, true, false, null, [], {},\n'
    ' {"nested": [1, [2, [3, {"k": "\\"quoted\\" \\\\ back"}]]]}, 98765432109876543210]'
)


def read_list(text: str, chunk_chars: int) -> list[object]:
    reader = JsonText(io.BytesIO(text.encode()), chunk_chars=chunk_chars)
    reader.take("[")
    reader.release()
    return list(reader.items())


def syntax_error(text: str, chunk_chars: int = 4) -> JsonSyntaxError:
    with pytest.raises(JsonSyntaxError) as caught:
        read_list(text, chunk_chars)
    return caught.value


@pytest.mark.parametrize("chunk_chars", [1, 2, 3, 5, 8, 13, 64, 1 << 16])
def test_values_cut_by_chunk_ends_are_read_whole(chunk_chars: int) -> None:
    expected = json.loads(LIST, parse_float=Decimal)

    assert read_list(LIST, chunk_chars) == expected
    assert expected[1] == "café 😀"
    assert expected[-1] == 98765432109876543210


def test_numbers_with_a_fraction_keep_every_digit() -> None:
    (value,) = read_list("[0.1000000000000000055511151231257827]", 3)

    assert value == Decimal("0.1000000000000000055511151231257827")


def test_text_read_is_let_go() -> None:
    items = ",".join(f'{{"serial": "{n:08d}"}}' for n in range(5000))
    reader = JsonText(io.BytesIO(f"[{items}]".encode()), chunk_chars=64)
    reader.take("[")
    reader.release()

    longest = 0
    for _ in reader.items():
        longest = max(longest, len(reader._text))

    assert longest < 200


def test_byte_order_mark_is_dropped() -> None:
    reader = JsonText(io.BytesIO(b'\xef\xbb\xbf{"a": 1}'))

    assert reader.value() == {"a": 1}
    assert reader.peek() == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('["\\ud800"]', ["?"]),
        ('["a\\udc00b", {"\\ud83dk": "\\ud83d\\ude00"}]', ["a?b", {"?k": "😀"}]),
    ],
)
def test_lone_surrogates_read_as_question_marks(text: str, expected: object) -> None:
    assert read_list(text, 2) == expected


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_json_numbers_are_refused(constant: str) -> None:
    error = syntax_error(f'[1, {{"x": {constant}}}]')

    assert error.message == f"{constant} is not a JSON value"
    assert (error.line, error.column) == (1, 5)


def test_error_place_counts_the_text_let_go() -> None:
    text = '[\n  {"a": 1},\n  {"a": 2},\n  {"a": 3 "b": 4}\n]'

    error = syntax_error(text, chunk_chars=2)

    assert str(error) == "Expecting ',' delimiter at line 4, column 11"


def test_unterminated_string_reads_as_one_sentence() -> None:
    error = syntax_error('["abc')

    assert str(error) == "Unterminated string starting at line 1, column 2"


def test_bytes_that_are_not_utf8_are_named() -> None:
    data = b'[{"a": "ok"},\n {"b": "\xff"}]'
    reader = JsonText(io.BytesIO(data), chunk_chars=4)
    reader.take("[")
    items = reader.items()

    assert next(items) == {"a": "ok"}
    with pytest.raises(JsonSyntaxError) as caught:
        next(items)
    assert caught.value.message == "bytes that are not UTF-8 (invalid start byte)"
    assert (caught.value.line, caught.value.column) == (2, 9)


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    error = syntax_error("[" + "[" * 100_000 + "]" * 100_000 + "]")

    assert error.message == "values nested too deeply"


def test_rewind_goes_back_while_the_text_is_held() -> None:
    reader = JsonText(io.BytesIO(b'{"a": [1, 2]}'), chunk_chars=2)
    first = reader.value()

    reader.rewind()

    assert reader.value() == first == {"a": [1, 2]}
    reader.release()
    with pytest.raises(RuntimeError):
        reader.rewind()
