"""The graph model described for people, in Markdown, from its declaration."""

from __future__ import annotations

from graphsvc.model import NODE_TYPES, REL_TYPES, SHIPMENT_ITEM, Field, FieldType

_TYPE_NAMES = {
    FieldType.TEXT: "string",
    FieldType.NUMBER: "float",
    FieldType.DATE: "date (YYYY-MM-DD, whole UTC day)",
    FieldType.INSTANT: "datetime with offset",
    FieldType.COUNTRY: "ISO 3166-1 alpha-2",
    FieldType.TERRITORIES: "list of country codes or `*`",
    FieldType.CHOICE: "one of",
    FieldType.IDENTIFIER: "id",
    FieldType.IDENTIFIERS: "list of ids",
    FieldType.GTIN: "GTIN, 14 digits",
    FieldType.GLN: "GLN, 13 digits",
}


def _describe(f: Field) -> str:
    text = _TYPE_NAMES[f.type]
    if f.choices:
        text += " " + ", ".join(f"`{c}`" for c in f.choices)
    if f.target is not None:
        text += f" of a {f.target}, drawn as `{f.rel}`"
    if f.default is not None:
        shown = f.default if isinstance(f.default, str) else "|".join(f.default)
        text += f"; `{shown}` when first described without it"
    return text


def render_markdown() -> str:
    """Node labels with their properties, then relationship types."""
    lines = ["## Node labels", ""]
    for t in NODE_TYPES:
        key = "`id`"
        if t.derived_key:
            derived = ", ".join(f"`{n}`" for n in t.derived_key)
            key = f"`id`, or when absent one derived from {derived}"
        source = f"Feed kind `{t.kind}`" if t.feed else "Written from EPCIS events"
        lines += [f"### {t.label}", "", f"{source}; key {key}.", ""]
        lines += ["| property | required | type |", "|---|---|---|"]
        for f in t.fields:
            note = "" if f.feed or not t.feed else " (from EPCIS events only)"
            required = "yes" if f.required else ""
            lines.append(f"| `{f.name}` | {required} | {_describe(f)}{note} |")
        lines.append("")
    lines += ["## Relationship types", ""]
    lines += ["| type | from | to | drawn by |", "|---|---|---|---|"]
    for r in REL_TYPES:
        lines.append(f"| `{r.type}` | {r.source} | {r.target} | `{r.field}` |")
    link, rel = SHIPMENT_ITEM.kind, SHIPMENT_ITEM.rel
    lines.append(
        f"\nFeed kind `{link}` adds one `{rel}` relationship (and the item to the "
        "shipment's `items`) without describing either end."
    )
    return "\n".join(lines) + "\n"
