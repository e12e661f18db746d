"""Bounds on what one GraphQL request may cost: size, shape, cost and time."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
)

from graphsvc.api.context import Limits
from graphsvc.api.validation import Validation
from graphsvc.errors import LimitExceeded

SIZE_ARGUMENTS: Final = ("first", "limit")
"""Arguments that say how many results a list field returns."""

DEFAULT_SIZES: Final = {
    "findings": 50,
    "neighborhood": 200,
    "items": 100,
    "itemIds": 100,
}
"""What a list field returns when its size argument is left out."""

FIELD_CAPS: Final = {"items": 1_000, "itemIds": 1_000}
"""Fields whose size argument has a cap of its own rather than the page size."""

CACHED_DOCUMENTS: Final = 256
"""Query texts whose parse and validation are kept, most recently used."""


def query_cost(
    selection: SelectionSetNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    worst_sizes: Mapping[str, int],
    scale: int = 1,
    spread: frozenset[str] = frozenset(),
) -> int:
    """Fields the query may resolve: each field counts once per parent result.

    A size given as a variable counts as the most its argument allows
    (`FIELD_CAPS` by field name, else `worst_sizes` by argument name), since
    validation does not see variable values. A fragment spread inside itself
    (`spread` holds those being expanded) counts nothing more: GraphQL's own rules
    refuse such a cycle.
    """
    cost = 0
    for node in selection.selections:
        if isinstance(node, FieldNode):
            cost += scale
            if node.selection_set is not None:
                size = _size(node, worst_sizes)
                cost += query_cost(
                    node.selection_set, fragments, worst_sizes, scale * size, spread
                )
        elif isinstance(node, InlineFragmentNode):
            cost += query_cost(
                node.selection_set, fragments, worst_sizes, scale, spread
            )
        elif isinstance(node, FragmentSpreadNode):
            name = node.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in spread:
                cost += query_cost(
                    fragment.selection_set,
                    fragments,
                    worst_sizes,
                    scale,
                    spread | {name},
                )
    return cost


def _size(field: FieldNode, worst_sizes: Mapping[str, int]) -> int:
    for argument in field.arguments or ():
        name = argument.name.value
        if name in SIZE_ARGUMENTS:
            value = argument.value
            if not isinstance(value, IntValueNode):
                return FIELD_CAPS.get(field.name.value, worst_sizes[name])
            # A negative size is refused when its field resolves, but that can come
            # after its siblings ran: counted as is, it would cancel their cost.
            return max(0, int(value.value))
    return DEFAULT_SIZES.get(field.name.value, 1)


def cost_rule(max_cost: int, worst_sizes: Mapping[str, int]) -> type[ValidationRule]:
    """A validation rule refusing documents whose `query_cost` is over `max_cost`."""

    class CostRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            document = context.document
            fragments = {
                d.name.value: d
                for d in document.definitions
                if isinstance(d, FragmentDefinitionNode)
            }
            for definition in document.definitions:
                if not isinstance(definition, OperationDefinitionNode):
                    continue
                cost = query_cost(definition.selection_set, fragments, worst_sizes)
                if cost > max_cost:
                    context.report_error(
                        GraphQLError(
                            f"query cost {cost} is over the limit of {max_cost}"
                            " (each field counts once per result of its parent)"
                        )
                    )

    return CostRule


class Deadline(SchemaExtension):
    """Stop resolving once a request has run for `seconds`.

    Checked before each field resolves, so one long store call runs to its end;
    what follows it is refused.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = 0.0

    def on_execute(self) -> Iterator[None]:
        self.deadline = time.monotonic() + self.seconds
        yield

    def resolve(
        self, _next: Callable[..., Any], root: Any, info: Any, *args: Any, **kwargs: Any
    ) -> Any:
        if time.monotonic() > self.deadline:
            raise LimitExceeded(
                f"the request ran longer than {self.seconds:g} s and was stopped"
            )
        return _next(root, info, *args, **kwargs)


def bound_extensions(limits: Limits) -> list[Callable[[], SchemaExtension]]:
    """The schema extensions that enforce `limits`, one fresh set per request.

    The validation rules are made once, so that the validation of a query text
    seen before is answered from the cache (it is keyed by the rules).
    """
    rules = [
        *QueryDepthLimiter(max_depth=limits.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=limits.max_aliases).validation_rules,
        cost_rule(
            limits.max_cost, {"first": limits.max_page, "limit": limits.max_limit}
        ),
    ]
    if not limits.introspection:
        rules.extend(DisableIntrospection().validation_rules)
    return [
        lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
        lambda: ParserCache(maxsize=CACHED_DOCUMENTS),
        lambda: AddValidationRules(rules),
        lambda: Validation(maxsize=CACHED_DOCUMENTS),
        lambda: Deadline(limits.timeout_seconds),
    ]
