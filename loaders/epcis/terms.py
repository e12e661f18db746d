"""Identifiers and CBV values of a document, resolved once and remembered.

An EPCIS document names the same places, parties, products and vocabulary values in
event after event; a `Terms` resolves each once for the prefixes in force and keeps
the answer. Serial numbers, which each come once, are resolved without keeping them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, TypeVar

from graphsvc.ids import canonical_class, canonical_id
from loaders.epcis.cbv import Vocabulary, bare, expand_curie, web_uri
from loaders.epcis.model import SourceDestination

_KEPT: Final = 1 << 12
"""Most answers one memo keeps."""

_Key = TypeVar("_Key")
_Value = TypeVar("_Value")


class Memo(dict[_Key, _Value]):
    """Answers worked out before, by question; emptied when full, so that memory
    stays flat however many different questions a document asks."""

    def remember(self, key: _Key, value: _Value) -> _Value:
        """Keep `value` as the answer to `key`, and return it."""
        if len(self) >= _KEPT:
            self.clear()
        self[key] = value
        return value


class Terms:
    """Resolves values with the compact URI prefixes `prefixes`.

    Methods raise what `graphsvc.ids` raises for a malformed GS1 identifier; failures
    are not remembered. The public memos are left to their users: `ends` to the
    event builder, for the source and destination entries it made, by their type
    and identifier as read; `hashed_ends` and `hashed_texts` to the event hash, for
    the spellings of such entries and of extension texts.
    """

    __slots__ = (
        "_classes",
        "_ids",
        "_urns_plain",
        "_web_uris",
        "_words",
        "ends",
        "hashed_ends",
        "hashed_texts",
        "prefixes",
    )

    def __init__(self, prefixes: Mapping[str, str]) -> None:
        self.prefixes = prefixes
        self.ends: Memo[tuple[str, str], SourceDestination] = Memo()
        self.hashed_ends: Memo[tuple[str, str, str], str] = Memo()
        self.hashed_texts: Memo[str, str] = Memo()
        self._ids: Memo[str, str] = Memo()
        self._classes: Memo[str, str] = Memo()
        # Keyed by the vocabulary's URN: hashing the enum member runs Python code.
        self._words: Memo[tuple[str, str], str] = Memo()
        self._web_uris: Memo[tuple[str, str], str] = Memo()
        self._urns_plain = "urn" not in prefixes

    def expand(self, value: str) -> str:
        """`value` with a bound compact URI prefix expanded."""
        return expand_curie(value, self.prefixes)

    def identifier(self, text: str) -> str:
        """The canonical id of `text`, a location, party, parent or document id."""
        known = self._ids.get(text)
        if known is None:
            known = self._ids.remember(text, self.item(text))
        return known

    def item(self, text: str) -> str:
        """The canonical id of `text`, an item of an EPC list, which is not kept."""
        # An EPC URN is no compact URI, unless a document binds the prefix "urn".
        if self._urns_plain and text.startswith("urn:"):
            return canonical_id(text)
        return canonical_id(expand_curie(text, self.prefixes))

    def product_class(self, text: str) -> str:
        """The canonical product class of `text`, an epcClass."""
        known = self._classes.get(text)
        if known is None:
            spelled = canonical_class(expand_curie(text, self.prefixes))
            known = self._classes.remember(text, spelled)
        return known

    def word(self, text: str, vocabulary: Vocabulary) -> str:
        """The bare CBV word of `text` in `vocabulary`; other values unchanged."""
        key = (text, vocabulary.urn)
        known = self._words.get(key)
        if known is None:
            spelled = bare(expand_curie(text, self.prefixes), vocabulary)
            known = self._words.remember(key, spelled)
        return known

    def web_uri(self, value: str, vocabulary: Vocabulary) -> str:
        """`cbv.web_uri` of `value`, a bare word or URI (no compact URI)."""
        key = (value, vocabulary.urn)
        known = self._web_uris.get(key)
        if known is None:
            known = self._web_uris.remember(key, web_uri(value, vocabulary))
        return known
