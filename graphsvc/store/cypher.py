"""The Neo4j store's Cypher statements, read once from the files under `cypher/`.

Each statement is a file that a person can run in Neo4j Browser after setting its
`:param`s (the file's comments show them). Values are always parameters. Labels and
relationship types cannot be parameters where an index must serve the lookup, so a
file that works on any label or type holds placeholders (`$$Label$$`, `$$Type$$`,
`$$Source$$`, `$$Target$$`, and `$$Temporals$$` for a label's date and instant
fields), filled here only with names the model declares.

The files are found beside the source tree (a checkout, or an editable install), else
where a wheel installs them: ``share/graphsvc/cypher`` under the environment's data
directory.
"""

from __future__ import annotations

import functools
import re
import site
import sysconfig
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from graphsvc.errors import StoreError
from graphsvc.model import BY_LABEL, REL_TYPES, FieldType

_PLACEHOLDER: Final = re.compile(r"\$\$(\w+)\$\$")
_NAME: Final = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_RELS: Final = {r.type: r for r in REL_TYPES}
_CONVERT: Final = {FieldType.DATE: "date", FieldType.INSTANT: "datetime"}
"""The Cypher function that turns a field's ISO 8601 text into its Neo4j value."""


def _candidates() -> list[Path]:
    installed = Path("share") / "graphsvc" / "cypher"
    return [
        Path(__file__).resolve().parents[2] / "cypher",
        Path(sysconfig.get_path("data")) / installed,
        Path(site.getuserbase()) / installed,
    ]


@functools.cache
def statement_dir() -> Path:
    """The directory that holds the statement files."""
    for path in _candidates():
        if (path / "read").is_dir():
            return path
    searched = ", ".join(str(p) for p in _candidates())
    raise StoreError(f"the Cypher statement files are missing; looked in {searched}")


@functools.cache
def _text(name: str) -> str:
    path = statement_dir() / f"{name}.cypher"
    try:
        return path.read_text(encoding="utf-8")
    except OSError as err:
        raise StoreError(f"cannot read the Cypher statement {name}: {err}") from err


def _fill(name: str, names: Mapping[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        placeholder = match[1]
        if placeholder not in names:
            raise StoreError(f"{name}.cypher: nothing fills $${placeholder}$$")
        return names[placeholder]

    return _PLACEHOLDER.sub(replace, _text(name))


@functools.cache
def statement(name: str) -> str:
    """The statement of `name`.cypher, a path under `cypher/` like ``read/item_ids``."""
    return _fill(name, {})


@functools.cache
def statements(name: str) -> tuple[str, ...]:
    """The `;`-separated statements of a file, comments dropped (schema files)."""
    lines = _fill(name, {}).splitlines()
    code = "\n".join(line for line in lines if not line.lstrip().startswith("//"))
    return tuple(s.strip() for s in code.split(";") if s.strip())


@functools.cache
def for_label(name: str, label: str) -> str:
    """The statement in `name` for one node label of the model."""
    if label not in BY_LABEL:
        raise StoreError(f"{label!r} is not a node label of the model")
    return _fill(name, {"Label": _checked(label), "Temporals": _temporals(label)})


@functools.cache
def for_type(name: str, rel_type: str) -> str:
    """The statement in `name` for one relationship type of the model."""
    rel = _RELS.get(rel_type)
    if rel is None:
        raise StoreError(f"{rel_type!r} is not a relationship type of the model")
    return _fill(
        name,
        {
            "Type": _checked(rel.type),
            "Source": _checked(rel.source),
            "Target": _checked(rel.target),
        },
    )


def _temporals(label: str) -> str:
    """SET items that store the label's dates and instants, sent as text, as such."""
    items = [
        f", n.{_checked(f.name)} = {_CONVERT[f.type]}(props.{f.name})"
        for f in BY_LABEL[label].fields
        if f.type in _CONVERT
    ]
    return "".join(items)


def _checked(name: str) -> str:
    # The model is code, not input; this only guards against a typo there that would
    # change a statement's meaning instead of failing.
    if not _NAME.fullmatch(name):
        raise StoreError(f"{name!r} cannot be a Cypher label or type")
    return name
