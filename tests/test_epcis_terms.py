"""Values an EPCIS document repeats, resolved once per document and remembered."""

from __future__ import annotations

import pytest

from graphsvc.errors import InvalidIdentifier
from loaders.epcis import terms as terms_module
from loaders.epcis.cbv import STANDARD_PREFIXES, Vocabulary
from loaders.epcis.terms import Memo, Terms


def test_memo_starts_again_when_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(terms_module, "_KEPT", 3)
    memo: Memo[str, int] = Memo()

    for number, key in enumerate("abcd"):
        assert memo.remember(key, number) == number

    assert memo == {"d": 3}


def test_identifier_is_remembered_and_a_failure_is_not() -> None:
    terms = Terms(STANDARD_PREFIXES)
    location = "urn:epc:id:sgln:0614141.00777.0"

    assert terms.identifier(location) == "https://id.gs1.org/414/0614141007776"
    assert terms.identifier(location) == "https://id.gs1.org/414/0614141007776"
    for _ in range(2):
        with pytest.raises(InvalidIdentifier, match="check digit 5, expected 4"):
            terms.identifier("https://id.gs1.org/01/10614141073465/21/1")


def test_items_expand_a_bound_urn_prefix() -> None:
    # Absurd, but a document may bind "urn" like any other prefix.
    odd = Terms({**STANDARD_PREFIXES, "urn": "https://example.com/urn/"})

    assert odd.item("urn:x") == "https://example.com/urn/x"
    assert Terms(STANDARD_PREFIXES).item("urn:x") == "urn:x"


def test_words_and_web_uris() -> None:
    terms = Terms({**STANDARD_PREFIXES, "my": "https://my.example/"})

    assert terms.word("cbv:BizStep-shipping", Vocabulary.BIZ_STEP) == "shipping"
    assert terms.word("my:step", Vocabulary.BIZ_STEP) == "https://my.example/step"
    assert terms.web_uri("shipping", Vocabulary.BIZ_STEP) == (
        "https://ref.gs1.org/cbv/BizStep-shipping"
    )
    assert terms.web_uri("shipping", Vocabulary.DISPOSITION) == (
        "https://ref.gs1.org/cbv/Disp-shipping"
    )
