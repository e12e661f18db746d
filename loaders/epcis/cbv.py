"""Core Business Vocabulary values and compact URIs, in one spelling each.

A CBV value reaches us in four spellings: the bare word of JSON-LD (`shipping`), the
URN of EPCIS 1.x XML (`urn:epcglobal:cbv:bizstep:shipping`), the web URI of CBV 2.0
(`https://ref.gs1.org/cbv/BizStep-shipping`) and that URI as a compact URI
(`cbv:BizStep-shipping`). `bare` folds all four into the bare word, which is what the
graph stores; `web_uri` gives the web URI, which is what the event hash needs. A value
outside the CBV (a company's own bizStep URI) passes through both unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from types import MappingProxyType
from typing import Final

CBV_WEB: Final = "https://ref.gs1.org/cbv/"
MDA_NAMESPACE: Final = "urn:epcglobal:cbv:mda"
"""The CBV master data namespace (ILMD lot numbers, expiry dates), as CBV 1.x names it.

Documents also write it with a trailing `#` or `:`; `clark_name` and `canonical_tag`
fold those into this spelling, so one ILMD field has one name in XML and JSON.
"""
_MDA_VARIANTS: Final = ("{urn:epcglobal:cbv:mda#}", "{urn:epcglobal:cbv:mda:}")

STANDARD_PREFIXES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "cbv": CBV_WEB,
        "epcis": "https://ref.gs1.org/epcis/",
        "gs1": "https://gs1.org/voc/",
        "cbvmda": MDA_NAMESPACE,
        "xsd": "http://www.w3.org/2001/XMLSchema#",
    }
)
"""Compact URI prefixes the EPCIS 2.0 JSON-LD context binds; a document may rebind."""

# Web URIs of the CBV drafts, still found in early EPCIS 2.0 documents.
_OLD_WEB_BASES: Final = (
    "https://ns.gs1.org/cbv/",
    "https://ns.gs1.org/voc/",
    "https://gs1.org/voc/",
)


class Vocabulary(Enum):
    """A CBV vocabulary: (URN namespace, web URI term prefix)."""

    BIZ_STEP = ("urn:epcglobal:cbv:bizstep:", "BizStep-")
    DISPOSITION = ("urn:epcglobal:cbv:disp:", "Disp-")
    BIZ_TRANSACTION_TYPE = ("urn:epcglobal:cbv:btt:", "BTT-")
    SOURCE_DESTINATION_TYPE = ("urn:epcglobal:cbv:sdt:", "SDT-")
    ERROR_REASON = ("urn:epcglobal:cbv:er:", "ER-")

    # Plain attributes rather than properties over `value`: every event reads them.
    urn: str
    term: str

    def __init__(self, urn: str, term: str) -> None:
        self.urn = urn
        self.term = term


def bare(value: str, vocabulary: Vocabulary) -> str:
    """The bare CBV word for any spelling of a CBV value; other values unchanged.

    >>> bare("urn:epcglobal:cbv:disp:in_transit", Vocabulary.DISPOSITION)
    'in_transit'
    >>> bare("https://example.com/steps/x", Vocabulary.BIZ_STEP)
    'https://example.com/steps/x'
    """
    if ":" not in value:
        return value
    urn, term = vocabulary.urn, vocabulary.term
    if value.startswith(urn):
        return value[len(urn) :]
    if value.startswith("cbv:" + term):
        return value[4 + len(term) :]
    if value.startswith(CBV_WEB + term):
        return value[len(CBV_WEB) + len(term) :]
    for base in _OLD_WEB_BASES:
        if value.startswith(base) and value[len(base) :].lower().startswith(
            term.lower()
        ):
            return value[len(base) + len(term) :]
    return value


def web_uri(value: str, vocabulary: Vocabulary) -> str:
    """The CBV 2.0 web URI for any spelling of a CBV value; other values unchanged.

    >>> web_uri("shipping", Vocabulary.BIZ_STEP)
    'https://ref.gs1.org/cbv/BizStep-shipping'
    """
    word = bare(value, vocabulary)
    if ":" in word:
        return word
    return f"{CBV_WEB}{vocabulary.term}{word}"


def expand_curie(value: str, prefixes: Mapping[str, str]) -> str:
    """`prefix:rest` with `prefix` bound in `prefixes` as a full URI; else unchanged.

    >>> expand_curie("gs1:Temperature", STANDARD_PREFIXES)
    'https://gs1.org/voc/Temperature'
    >>> expand_curie("urn:epc:id:sgtin:0614141.107346.2017", STANDARD_PREFIXES)
    'urn:epc:id:sgtin:0614141.107346.2017'
    """
    colon = value.find(":")
    if colon < 0:
        return value
    base = prefixes.get(value[:colon])
    if base is None or value.startswith("//", colon + 1):
        return value
    return base + value[colon + 1 :]


def clark_name(key: str, prefixes: Mapping[str, str]) -> str:
    """A JSON-LD term as `{namespace}local`, the spelling XML names take here.

    A compact URI uses its bound prefix; a full URI splits after its last `/` or `#`.
    A bare term or an unbound prefix is returned unchanged.

    >>> clark_name("ext1:float", {"ext1": "http://example.com/ext1/"})
    '{http://example.com/ext1/}float'
    """
    prefix, colon, rest = key.partition(":")
    if not colon:
        return key
    if rest.startswith("//"):
        cut = max(key.rfind("/"), key.rfind("#")) + 1
        return "{" + key[:cut] + "}" + key[cut:]
    base = prefixes.get(prefix)
    return key if base is None else canonical_tag("{" + base + "}" + rest)


def canonical_tag(name: str) -> str:
    """`{namespace}local` with the CBV master data namespace in one spelling."""
    for variant in _MDA_VARIANTS:
        if name.startswith(variant):
            return "{" + MDA_NAMESPACE + "}" + name[len(variant) :]
    return name
