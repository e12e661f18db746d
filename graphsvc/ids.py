"""GS1 identification keys in one canonical spelling.

A GS1 key reaches graphsvc as an EPC pure-identity URN or as a GS1 Digital Link URI on
any host. Both spellings name the same thing, so `canonical_id` rewrites either into one
Digital Link URI on `https://id.gs1.org`, and the graph stores only that:

    >>> canonical_id("urn:epc:id:sgtin:0614141.107346.2017")
    'https://id.gs1.org/01/10614141073464/21/2017'
    >>> canonical_id("http://example.com/01/10614141073464/21/2017?17=270101")
    'https://id.gs1.org/01/10614141073464/21/2017'

The canonical form:

- The primary key comes first, at full length with its check digit verified (GTIN-8,
  -12 and -13 are padded to 14 digits), then the key qualifiers, in the order the
  Digital Link standard fixes.
- A serialised trade item is its GTIN plus serial: a serial is unique within its GTIN
  whatever the lot, and an EPC URN has no room for the lot. So `/01/g/22/v/10/l/21/s`
  becomes `/01/g/21/s`, the same string as the sgtin URN of that GTIN and serial.
  `parse_gs1` still returns the lot and variant for callers that record them. Without
  a serial the lot stays: `/01/g/10/l` names the class "this lot of this product".
- An SGLN extension `0` means "no extension", in the URN and as a Digital Link `/254/0`.
- Text values (serials, lots, extensions) are percent-decoded, checked against the GS1
  AI 82 character set and their length limit, then written with every character other
  than letters, digits, `-`, `.` and `_` percent-encoded in upper-case hex.
- The query string (data attributes such as an expiry date, link types) and fragment
  are dropped: they describe the thing, they do not name it.

Class identifiers are folded into `canonical_id`: `urn:epc:class:lgtin:CP.IR.LOT`
becomes `/01/{gtin}/10/{lot}` and `urn:epc:idpat:sgtin:CP.IR.*` becomes `/01/{gtin}`.
`canonical_class` is the same function, but rejects anything that is not a product
class.

Returned unchanged: strings that are neither `urn:epc:` URNs nor http(s) URIs with a GS1
key path (plain ids, other URIs, other URN namespaces); the EPC schemes gid, cpi,
itip, usdod, adi, bic and imovn, and EPC tag or raw URIs; EPC patterns other than one
GTIN (`urn:epc:idpat:sgtin:CP.*.*`); Digital Links of other primary keys (ITIP 8006,
CPID 8010) and compressed Digital Links. The URN and Digital Link spellings of an ITIP
or CPI key therefore do not match; that matters once a partner sends such keys, which
none does yet.

A Digital Link path may start after a custom prefix (`https://example.com/gs1/01/...`).
Such a URI is read as a Digital Link only if the rest of its path is a valid one, so an
unrelated URI whose path happens to contain `/00/` stays unchanged. A URI whose path
starts with a primary-key AI, like an EPC URN of a known scheme, must be valid: every
fault raises `InvalidIdentifier` with a message that names it.
"""

from __future__ import annotations

import functools
import re
import string
from dataclasses import dataclass
from typing import Final
from urllib.parse import quote, unquote

from graphsvc.errors import InvalidIdentifier

__all__ = [
    "CANONICAL_BASE",
    "GS1Key",
    "canonical_class",
    "canonical_gln",
    "canonical_gtin",
    "canonical_id",
    "check_digit",
    "gln_of",
    "gtin_of",
    "lookup_id",
    "parse_gs1",
]

CANONICAL_BASE: Final = "https://id.gs1.org"
"""Scheme and host of every canonical Digital Link URI."""


@dataclass(frozen=True, slots=True)
class _Key:
    """How one primary key reads as the value after its AI in a Digital Link path."""

    ai: str
    name: str
    digits: int = 0
    """Leading digits, the last of which is a GS1 check digit; 0 for free text."""
    tail: int = 0
    """Most characters (AI 82 set) allowed after the digits; the serial of a GRAI."""
    numeric_tail: bool = False
    lead: str = ""
    """What the digits must start with (a GRAI carries a zero before its 13 digits)."""
    short: tuple[int, ...] = ()
    """Shorter digit counts also accepted, then zero-padded (GTIN-8, -12, -13)."""
    qualifiers: tuple[str, ...] = ()
    """Key qualifier AIs, in the order a Digital Link path must give them."""
    instance: tuple[str, ...] = ()
    """Qualifiers that each name an instance; given one, the others are dropped."""


@dataclass(frozen=True, slots=True)
class _Qualifier:
    """A key qualifier: its name in messages and its length limit (AI 82 text)."""

    name: str
    limit: int
    absent: str | None = None
    """A value that means "no qualifier" (the SGLN extension 0)."""


@dataclass(frozen=True, slots=True)
class _Scheme:
    """How the dot-separated parts of one EPC URN scheme make a GS1 key.

    The parts are the company prefix, a reference and, for some schemes, a third part.
    """

    ai: str
    reference: str
    digits: int = 0
    """Digits in company prefix plus reference; 0 when the reference is free text."""
    move_first: bool = False
    """The reference's first digit leads the key (GTIN indicator, SSCC extension)."""
    third: str = ""
    """Name of the third part, if the scheme has one."""
    third_ai: str = ""
    """Where the third part goes: a qualifier AI, "+" to extend the key value, or "*"
    when it is a pattern's wildcard."""


_KEYS: Final = {
    key.ai: key
    for key in (
        _Key("00", "SSCC", digits=18),
        _Key(
            "01",
            "GTIN",
            digits=14,
            short=(8, 12, 13),
            qualifiers=("22", "10", "21", "235"),
            instance=("21", "235"),
        ),
        _Key("253", "GDTI", digits=13, tail=17),
        _Key("255", "GCN", digits=13, tail=12, numeric_tail=True),
        _Key("401", "GINC", tail=30),
        _Key("402", "GSIN", digits=17),
        _Key("414", "GLN", digits=13, qualifiers=("254",)),
        _Key("417", "GLN", digits=13),
        _Key("8003", "GRAI", digits=14, tail=16, lead="0"),
        _Key("8004", "GIAI", tail=30),
        _Key("8017", "GSRNP", digits=18),
        _Key("8018", "GSRN", digits=18),
    )
}

_QUALIFIERS: Final = {
    "10": _Qualifier("lot", 20),
    "21": _Qualifier("serial", 20),
    "22": _Qualifier("consumer product variant", 20),
    "235": _Qualifier("third-party serial", 28),
    "254": _Qualifier("GLN extension", 20, absent="0"),
}

# Columns: primary key AI, reference, digits, move_first, third part, its AI.
_SCHEMES: Final = {
    "id:sgtin": _Scheme("01", "item reference", 13, True, "serial", "21"),
    "id:upui": _Scheme("01", "item reference", 13, True, "third-party serial", "235"),
    "id:sscc": _Scheme("00", "serial reference", 17, True),
    "id:sgln": _Scheme("414", "location reference", 12, False, "extension", "254"),
    "id:pgln": _Scheme("417", "party reference", 12),
    "id:grai": _Scheme("8003", "asset type", 12, False, "serial", "+"),
    "id:giai": _Scheme("8004", "asset reference"),
    "id:gsrn": _Scheme("8018", "service reference", 17),
    "id:gsrnp": _Scheme("8017", "service reference", 17),
    "id:gdti": _Scheme("253", "document type", 12, False, "serial", "+"),
    "id:sgcn": _Scheme("255", "coupon reference", 12, False, "serial", "+"),
    "id:ginc": _Scheme("401", "consignment reference"),
    "id:gsin": _Scheme("402", "shipper reference", 16),
    "class:lgtin": _Scheme("01", "item reference", 13, True, "lot", "10"),
    "idpat:sgtin": _Scheme("01", "item reference", 13, True, "serial", "*"),
}

# The GS1 AI encodable character set 82: what serials, lots and other text values of
# GS1 keys may contain.
_AI82: Final = frozenset(string.ascii_letters + string.digits + "!\"%&'()*+,-./:;<=>?_")
_BAD_ESCAPE: Final = re.compile(r"%(?![0-9A-Fa-f]{2})")
# Plain ids leave canonical_id after the first test, other URIs after the second.
_URI_HEADS: Final = frozenset(("urn:", "http"))
_GS1_HEADS: Final = ("urn:epc:", "http://", "https://")
_LINK_HEADS: Final = _GS1_HEADS[1:]

# Serialised items are most of the identifiers in a feed, and each is seen once, so the
# cache cannot help them. These patterns read their common, well-formed spellings (an
# sgtin URN, a Digital Link of GTIN and serial) in one match. They accept only what the
# general reading accepts unchanged, serials with no character to escape; anything else,
# faults included, takes the general path, which also words the errors.
_SERIAL: Final = r"([A-Za-z0-9._-]{1,20})"
_SGTIN_URN: Final = re.compile(
    r"(?i:urn:epc:id:sgtin):([0-9]{6,12})\.([0-9]{1,7})\." + _SERIAL
)
_SGTIN_LINK: Final = re.compile(
    r"(?i:https?)://[^/?#]+/01/([0-9]{14})/21/" + _SERIAL + r"(?:[?#].*)?", re.DOTALL
)


@dataclass(frozen=True, slots=True)
class GS1Key:
    """A GS1 key as read from a URN or Digital Link, before the identity rules apply.

    `ai` is the primary key's application identifier ("01" for a GTIN), `value` the
    key with its check digit (a GTIN padded to 14 digits), and `qualifiers` every key
    qualifier given, decoded, as (AI, value) pairs in Digital Link order: a lot given
    beside a serial is here, though `canonical` leaves it out.
    """

    ai: str
    value: str
    qualifiers: tuple[tuple[str, str], ...] = ()

    @property
    def canonical(self) -> str:
        """The canonical Digital Link URI: the identity this key stands for."""
        kept = self.qualifiers
        instance = _KEYS[self.ai].instance
        if any(ai in instance for ai, _ in kept):
            kept = tuple((ai, text) for ai, text in kept if ai in instance)
        path = "".join(f"/{ai}/{quote(text, safe='')}" for ai, text in kept)
        return f"{CANONICAL_BASE}/{self.ai}/{quote(self.value, safe='')}{path}"

    def qualifier(self, ai: str) -> str | None:
        """The value given for qualifier `ai` ("10" for the lot), or None."""
        return next((text for key_ai, text in self.qualifiers if key_ai == ai), None)


def canonical_id(value: str) -> str:
    """Return the canonical spelling of an identifier.

    EPC URNs and Digital Link URIs of GS1 keys become a Digital Link URI on
    `https://id.gs1.org` (see the module documentation for the rules); anything
    else is returned unchanged. Plain ids cost one prefix test.

    >>> canonical_id("urn:epc:id:sscc:0614141.1234567890")
    'https://id.gs1.org/00/106141412345678908'
    >>> canonical_id("IT-000001")
    'IT-000001'

    Raises InvalidIdentifier when a URN of a known EPC scheme or a Digital Link is
    malformed or has a wrong check digit.
    """
    if value[:4].lower() not in _URI_HEADS:
        return value
    item = _plain_item(value)
    if item is not None:
        return f"{CANONICAL_BASE}/01/{item[0]}/21/{item[1]}"
    if not value[:8].lower().startswith(_GS1_HEADS):
        return value
    return _canonical_uri(value)


def lookup_id(value: str) -> str:
    """Return the id to look a node up by, for an id a person gave.

    `canonical_id` of `value` without surrounding spaces, as feeds store ids, so
    that every spelling of a GS1 key finds the one stored; that text as given when
    it is a malformed GS1 key, which then finds nothing rather than failing the
    request.

    >>> lookup_id("urn:epc:id:sgtin:0614141.107346.2017")
    'https://id.gs1.org/01/10614141073464/21/2017'
    >>> lookup_id("urn:epc:id:sgtin:0614141.107346")
    'urn:epc:id:sgtin:0614141.107346'
    """
    text = value.strip()
    try:
        return canonical_id(text)
    except InvalidIdentifier:
        return text


def canonical_class(value: str) -> str:
    """Return the canonical spelling of a product class (an EPCIS `epcClass`).

    Like `canonical_id`, but a GS1 key must be a GTIN, optionally with a lot or
    variant: `urn:epc:class:lgtin:CP.IR.LOT`, `urn:epc:idpat:sgtin:CP.IR.*` or a
    Digital Link with AI 01 and no serial. Non-GS1 values are returned unchanged.

    >>> canonical_class("urn:epc:class:lgtin:4012345.012345.998877")
    'https://id.gs1.org/01/04012345123456/10/998877'
    """
    if value[:4].lower() not in _URI_HEADS:
        return value
    key = parse_gs1(value)
    if key is None:
        return value
    if key.ai != "01":
        raise InvalidIdentifier(
            f"'{value}' has key {_KEYS[key.ai].name} (AI {key.ai}), not a product "
            "class (GTIN, optionally with lot or variant)"
        )
    serials = [ai for ai, _ in key.qualifiers if ai in _KEYS["01"].instance]
    if serials:
        raise InvalidIdentifier(
            f"'{value}' names one item ({_QUALIFIERS[serials[0]].name}), "
            "not a product class"
        )
    return key.canonical


def canonical_gtin(value: str) -> str:
    """Return a GTIN as 14 digits, its check digit verified.

    Accepts GTIN-8, -12, -13 and -14 digit strings, and GS1 URIs that name a GTIN
    alone (a Digital Link with only AI 01, an `urn:epc:idpat:sgtin:CP.IR.*`).

    >>> canonical_gtin("614141000036")
    '00614141000036'
    """
    return _bare_key(value, "01")


def canonical_gln(value: str) -> str:
    """Return a GLN as 13 digits, its check digit verified.

    Accepts 13 digits, `urn:epc:id:sgln:CP.LR.0`, `urn:epc:id:pgln:CP.PR` and Digital
    Links with AI 414 or 417 alone. A location with an extension is not a GLN.

    >>> canonical_gln("urn:epc:id:pgln:0614141.00777")
    '0614141007776'
    """
    return _bare_key(value, "414", "417")


def gtin_of(identifier: str) -> str | None:
    """Return the 14-digit GTIN of an item or product class identifier, else None.

    Any spelling is read, canonical or not; a malformed GS1 identifier raises
    InvalidIdentifier as in `canonical_id`.

    >>> gtin_of("https://id.gs1.org/01/10614141073464/21/2017")
    '10614141073464'
    """
    item = _plain_item(identifier)
    if item is not None:
        return item[0]
    key = parse_gs1(identifier)
    return key.value if key is not None and key.ai == "01" else None


def gln_of(identifier: str) -> str | None:
    """Return the 13-digit GLN of a location or party identifier, else None.

    A location with an extension (`/414/{gln}/254/{ext}`) yields its GLN.

    >>> gln_of("urn:epc:id:sgln:0614141.00777.0")
    '0614141007776'
    """
    key = parse_gs1(identifier)
    return key.value if key is not None and key.ai in ("414", "417") else None


def check_digit(digits: str) -> str:
    """Return the GS1 mod-10 check digit for `digits`, a key without its last digit.

    >>> check_digit("1061414107346")
    '4'
    """
    if not _is_digits(digits):
        raise InvalidIdentifier(f"'{digits}' is not a string of digits")
    return _mod10(digits)


def parse_gs1(value: str) -> GS1Key | None:
    """Read an EPC URN or Digital Link URI as a GS1 key; None if it is neither.

    None also for the EPC schemes and patterns this module leaves unchanged. Raises
    InvalidIdentifier when a known scheme is malformed.

    >>> parse_gs1("https://example.com/01/10614141073464/10/L1/21/2017")
    GS1Key(ai='01', value='10614141073464', qualifiers=(('10', 'L1'), ('21', '2017')))
    """
    head = value[:8].lower()
    if head == "urn:epc:":
        return _read_urn(value)
    if head.startswith(_LINK_HEADS):
        return _read_digital_link(value)
    return None


# Many serials share one product, so the check digits of a few GTINs are asked again
# and again; so are the GTINs of a few sgtin URN heads (`_sgtin_gtin`).
@functools.lru_cache(maxsize=1 << 12)
def _mod10(digits: str) -> str:
    """The check digit of `digits`, which must be ASCII digits."""
    # Weights run 3, 1, 3, ... from the rightmost digit. Summing the ASCII codes and
    # taking off those of the zeros is much cheaper than int() on every digit.
    odd, even = digits[::-2].encode(), digits[-2::-2].encode()
    total = 3 * (sum(odd) - 48 * len(odd)) + sum(even) - 48 * len(even)
    return str(-total % 10)


def _plain_item(value: str) -> tuple[str, str] | None:
    """GTIN and serial of an item spelled as the shortcut patterns read, else None."""
    head = value[:8].lower()
    if head == "urn:epc:":
        item = _SGTIN_URN.fullmatch(value)
        if item is not None and (gtin := _sgtin_gtin(item[1], item[2])):
            return gtin, item[3]
    elif head.startswith(_LINK_HEADS):
        item = _SGTIN_LINK.fullmatch(value)
        if item is not None and _mod10(item[1][:-1]) == item[1][-1]:
            return item[1], item[2]
    return None


@functools.lru_cache(maxsize=1 << 12)
def _sgtin_gtin(prefix: str, reference: str) -> str | None:
    """The GTIN of an sgtin URN's company prefix and item reference (ASCII digits);
    None if they do not have 13 digits together."""
    if len(prefix) + len(reference) != 13:
        return None
    # The item reference's first digit (the indicator) leads the GTIN.
    body = reference[0] + prefix + reference[1:]
    return body + _mod10(body)


@functools.lru_cache(maxsize=1 << 16)
def _canonical_uri(value: str) -> str:
    # EPCIS documents name the same locations and parties in event after event; the
    # cache spares re-reading them. Errors are not cached, so they raise every time.
    key = parse_gs1(value)
    return value if key is None else key.canonical


def _bare_key(value: str, *ais: str) -> str:
    """The key value of `value`, which must name a key of one of `ais` alone."""
    first = _KEYS[ais[0]]
    key = parse_gs1(value)
    if key is None:
        return _check_key(first, value)

    if key.ai not in ais:
        raise InvalidIdentifier(
            f"'{value}' has key {_KEYS[key.ai].name} (AI {key.ai}), not {first.name}"
        )
    if key.qualifiers:
        names = ", ".join(_QUALIFIERS[ai].name for ai, _ in key.qualifiers)
        raise InvalidIdentifier(
            f"'{value}' adds {names} to the {first.name}; give the {first.name} alone"
        )
    return key.value


def _read_urn(urn: str) -> GS1Key | None:
    fields = urn.split(":", 4)
    if len(fields) < 4:
        return None
    scheme = _SCHEMES.get(f"{fields[2].lower()}:{fields[3].lower()}")
    if scheme is None:
        return None

    names = tuple(filter(None, ("company prefix", scheme.reference, scheme.third)))
    parts = fields[4].split(".", len(names) - 1) if len(fields) == 5 else []
    if len(parts) != len(names):
        raise InvalidIdentifier(
            f"EPC URN '{urn}' must have {len(names)} parts separated by dots "
            f"({', '.join(names)}), has {len(parts)}"
        )
    prefix, reference, *third = parts
    if scheme.third_ai == "*" and ("*" in (prefix, reference) or third != ["*"]):
        # A pattern wider (or narrower) than one GTIN has no Digital Link spelling.
        return None

    if not (6 <= len(prefix) <= 12 and _is_digits(prefix)):
        raise InvalidIdentifier(
            f"EPC URN '{urn}': company prefix '{prefix}' must be 6 to 12 digits"
        )
    key = _KEYS[scheme.ai]
    if scheme.digits:
        value = key.lead + _urn_digits(urn, scheme, prefix, reference)
    else:
        reference = _unescape(reference, scheme.reference)
        if not reference:
            raise InvalidIdentifier(f"EPC URN '{urn}' has an empty {scheme.reference}")
        value = prefix + reference

    qualifiers: tuple[tuple[str, str], ...] = ()
    if third and scheme.third_ai != "*":
        text = _unescape(third[0], scheme.third)
        if not text:
            raise InvalidIdentifier(f"EPC URN '{urn}' has an empty {scheme.third}")
        if scheme.third_ai == "+":
            value += text
        else:
            qualifiers = _qualifiers([(scheme.third_ai, text)])
    return GS1Key(scheme.ai, _check_key(key, value), qualifiers)


def _urn_digits(urn: str, scheme: _Scheme, prefix: str, reference: str) -> str:
    """The key's digits, check digit added, from a URN's prefix and reference."""
    if reference and not _is_digits(reference):
        raise InvalidIdentifier(
            f"EPC URN '{urn}': {scheme.reference} '{reference}' must be digits"
        )
    length = len(prefix) + len(reference)
    if length != scheme.digits:
        raise InvalidIdentifier(
            f"EPC URN '{urn}': company prefix and {scheme.reference} must have "
            f"{scheme.digits} digits together, have {length}"
        )

    if scheme.move_first:
        prefix, reference = reference[0] + prefix, reference[1:]
    body = prefix + reference
    return body + check_digit(body)


def _read_digital_link(uri: str) -> GS1Key | None:
    rest = uri.partition("://")[2].partition("#")[0].partition("?")[0]
    authority, _, path = rest.partition("/")
    if not authority or not path:
        return None

    segments = path.split("/")
    if segments[0] in _KEYS:
        return _read_dl_path(uri, segments)
    for start in range(1, len(segments) - 1):
        if segments[start] in _KEYS:
            try:
                return _read_dl_path(uri, segments[start:])
            except InvalidIdentifier:
                # Behind a custom prefix, a path that is not a valid Digital Link is
                # most likely not meant as one.
                continue
    return None


def _read_dl_path(uri: str, segments: list[str]) -> GS1Key:
    """Read `segments`, which start with a primary-key AI, as a Digital Link path."""
    if "" in segments:
        raise InvalidIdentifier(f"Digital Link '{uri}' has an empty path segment")
    if len(segments) % 2:
        raise InvalidIdentifier(f"Digital Link '{uri}': AI {segments[-1]} has no value")

    key = _KEYS[segments[0]]
    value = _check_key(key, _unescape(segments[1], key.name))
    pairs = list(zip(segments[2::2], segments[3::2], strict=True))
    last = -1
    for ai, _ in pairs:
        if ai not in key.qualifiers:
            allowed = ", ".join(key.qualifiers) or "none"
            raise InvalidIdentifier(
                f"Digital Link '{uri}': {ai} is not a key qualifier of AI {key.ai} "
                f"(allowed: {allowed})"
            )
        rank = key.qualifiers.index(ai)
        if rank <= last:
            problem = (
                "appears twice"
                if rank == last
                else f"must come before {key.qualifiers[last]}"
            )
            raise InvalidIdentifier(f"Digital Link '{uri}': qualifier {ai} {problem}")
        last = rank

    decoded = [(ai, _unescape(raw, _QUALIFIERS[ai].name)) for ai, raw in pairs]
    return GS1Key(key.ai, value, _qualifiers(decoded))


def _qualifiers(pairs: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """Check decoded qualifier values; leave out those whose value means absent."""
    kept = []
    for ai, text in pairs:
        qualifier = _QUALIFIERS[ai]
        if text != qualifier.absent:
            _check_text(qualifier.name, text, qualifier.limit)
            kept.append((ai, text))
    return tuple(kept)


def _check_key(key: _Key, value: str) -> str:
    """Return the decoded key value, padded to full length, once it is valid."""
    if len(value) in key.short and _is_digits(value):
        value = value.zfill(key.digits)
    if not key.digits:
        _check_text(key.name, value, key.tail)
        return value

    digits, tail = value[: key.digits], value[key.digits :]
    if len(digits) < key.digits or not _is_digits(digits) or (tail and not key.tail):
        counts = ", ".join(map(str, (*key.short, key.digits)))
        counts = " or ".join(counts.rsplit(", ", 1))
        shape = f"start with {counts} digits" if key.tail else f"be {counts} digits"
        raise InvalidIdentifier(f"{key.name} '{value}' must {shape}")
    if not digits.startswith(key.lead):
        raise InvalidIdentifier(f"{key.name} '{value}' must start with {key.lead}")
    expected = check_digit(digits[:-1])
    if digits[-1] != expected:
        raise InvalidIdentifier(
            f"{key.name} '{digits}' has check digit {digits[-1]}, expected {expected}"
        )
    if tail:
        label = f"{key.name} serial"
        if key.numeric_tail and not _is_digits(tail):
            raise InvalidIdentifier(f"{label} '{tail}' must be digits")
        _check_text(label, tail, key.tail)
    return value


def _check_text(label: str, text: str, limit: int) -> None:
    if not text:
        raise InvalidIdentifier(f"{label} is empty")
    if len(text) > limit:
        raise InvalidIdentifier(f"{label} '{text}' is longer than {limit} characters")
    if not _AI82.issuperset(text):
        bad = next(char for char in text if char not in _AI82)
        raise InvalidIdentifier(
            f"{label} '{text}' contains {bad!r}, which is not in the GS1 AI 82 "
            "character set"
        )


def _unescape(text: str, label: str) -> str:
    """Decode %xx escapes, which EPC URNs and Digital Links both use."""
    if "%" not in text:
        return text
    if _BAD_ESCAPE.search(text):
        raise InvalidIdentifier(
            f"{label} '{text}' has a '%' that is not followed by two hex digits"
        )
    # Latin-1 maps each escape to one character; anything beyond ASCII then fails the
    # AI 82 check with a message that shows it.
    return unquote(text, encoding="latin-1")


def _is_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()
