"""Validating a GraphQL document, with a reason a person can act on when it stops.

graphql-core gives up checking that fields of one name can merge once a document
would take too long to compare (800 copies of one field are enough), and then
answers only "Validation aborted.": the errors it had yet to find are lost, and the
client is not told what to change. Here such a document is validated again without
that one rule, so the client gets the specific errors, at most as many as
graphql-core reports, followed by a message that says why validation stopped.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Final

from graphql import DocumentNode, GraphQLError, GraphQLSchema
from graphql.validation import ASTValidationRule, OverlappingFieldsCanBeMergedRule
from graphql.validation.validate import ValidationAbortedError
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

MAX_ERRORS: Final = 100
"""The most specific errors one answer lists; graphql-core stops at as many."""

_STOPPED: Final = "Validation aborted."
"""What graphql-core answers, alone, when a document is too costly to check."""
_TOO_MANY: Final = (
    "Too many validation errors, error limit reached. Validation aborted."
)
TOO_COMPLEX: Final = (
    "Validation aborted: the document is too complex to check in full (too many"
    " fields of one name, or fragments spread too often); send a smaller document."
)

Rules = tuple[type[ASTValidationRule], ...]
Validator = Callable[[GraphQLSchema, DocumentNode, Rules], tuple[GraphQLError, ...]]


class Validation(SchemaExtension):
    """Validate each document once (results are kept for `maxsize` documents)."""

    def __init__(self, maxsize: int) -> None:
        self._validate = _cached(maxsize)

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        assert context.graphql_document is not None
        errors = self._validate(
            context.schema._schema, context.graphql_document, context.validation_rules
        )
        context.pre_execution_errors = list(errors)
        yield


def validate(
    schema: GraphQLSchema, document: DocumentNode, rules: Rules
) -> tuple[GraphQLError, ...]:
    """The errors of `document` under `rules`; see the module for a stopped one."""
    errors = validate_document(schema, document, rules)
    if not errors or errors[-1].message != _STOPPED:
        return tuple(errors)

    lighter = tuple(r for r in rules if r is not OverlappingFieldsCanBeMergedRule)
    again = validate_document(schema, document, lighter)
    specific: list[GraphQLError] = []
    for error in [*errors, *again]:
        if not isinstance(error, ValidationAbortedError) and error not in specific:
            specific.append(error)
    answer = specific[:MAX_ERRORS]
    if len(specific) > MAX_ERRORS or (again and again[-1].message == _TOO_MANY):
        answer.append(GraphQLError(_TOO_MANY))
    return (*answer, GraphQLError(TOO_COMPLEX))


@functools.cache
def _cached(maxsize: int) -> Validator:
    # One cache for every request: documents come from the parser's cache, so the
    # same text is the same key.
    return functools.lru_cache(maxsize=maxsize)(validate)
