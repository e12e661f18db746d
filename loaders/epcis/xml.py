"""Read EPCIS 1.2 and 2.0 XML documents as a stream of events, in bounded memory.

Elements are matched by namespace and local name, never by prefix. Inside the body,
EPCIS's own elements are in no namespace; anything namespaced is a user extension,
even when its local name is that of a standard field. The 1.x `extension` and
`baseExtension` wrappers are looked through, so a 1.2 event reads like its 2.0 form.

The parser resolves no entities, loads no DTD and touches no network; a document that
declares a document type is refused outright, so entity expansion cannot be attempted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import partial
from typing import Final

from lxml import etree

from graphsvc.errors import InvalidInput
from loaders.epcis.build import ByteStream, RawEvent
from loaders.epcis.cbv import STANDARD_PREFIXES, canonical_tag
from loaders.epcis.model import EVENT_TYPES
from loaders.epcis.terms import Terms

EPCIS_NAMESPACES: Final = frozenset(
    (
        "urn:epcglobal:epcis:xsd:1",
        "urn:epcglobal:epcis:xsd:2",
        "urn:epcglobal:epcis-query:xsd:1",
        "urn:epcglobal:epcis-query:xsd:2",
    )
)
_DOCUMENTS: Final = frozenset(("EPCISDocument", "EPCISQueryDocument"))
_XSI_NIL: Final = "{http://www.w3.org/2001/XMLSchema-instance}nil"
_WRAPPERS: Final = frozenset(("extension", "baseExtension"))
_POSITION_SUFFIX: Final = re.compile(r", line \d+, column \d+$")

_TEXT_FIELDS: Final = frozenset(
    (
        "eventTime", "recordTime", "eventTimeZoneOffset", "eventID", "action",
        "bizStep", "disposition", "parentID", "transformationID", "certificationInfo",
    )
)  # fmt: skip
_EPC_LISTS: Final = frozenset(("epcList", "childEPCs", "inputEPCList", "outputEPCList"))
_QUANTITY_LISTS: Final = frozenset(
    ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList")
)
_TYPED_LISTS: Final = {
    "bizTransactionList": "bizTransaction",
    "sourceList": "source",
    "destinationList": "destination",
}

Fields = dict[str, object]
Element = etree._Element


def read_xml(stream: ByteStream, name: str) -> Iterator[RawEvent]:
    """The events of an EPCIS XML document, in document order.

    An element of the event list that is no EPCIS event (a 1.x QuantityEvent, a
    vendor's event in its own namespace) comes out in its place under its own tag,
    for the event builder to reject as an unknown type.

    Raises InvalidInput, naming the document and the line, when it is not
    well-formed XML, declares a document type, is not an EPCIS document or holds
    no event list in the place and namespace the standard gives it.
    """
    parser = etree.iterparse(
        stream,
        events=("end",),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    position = 0
    checked = False
    listed = False
    terms = Terms(STANDARD_PREFIXES)
    try:
        for _, element in parser:
            if not checked:
                _check_document(element.getroottree(), name)
                checked = True
            parent = element.getparent()
            if not _in_event_list(parent):
                # The list's first child refuses a namespaced list before the rest
                # of it is read; an empty one is refused as it ends.
                _refuse_namespaced_list(parent, name)
                _refuse_namespaced_list(element, name)
                listed = listed or element.tag == "EventList"
                continue
            if element.tag == "extension" and parent.tag == "EventList":
                continue  # its events came out as their own elements ended
            position += 1
            if element.tag in EVENT_TYPES:
                yield RawEvent(element.tag, position, _event_fields(element), terms)
            else:
                yield RawEvent(element.tag, position, {}, terms)
            _release(element, parent)
        if not checked:
            _check_document(parser.root.getroottree(), name)
    except etree.XMLSyntaxError as err:
        line, column = err.position
        message = _POSITION_SUFFIX.sub("", err.msg or "no detail")
        raise InvalidInput(
            f"{name}:{line}:{column}: not well-formed XML: {message}"
        ) from None
    if not listed:
        raise InvalidInput(f"{name}: the document has no EventList")


def _check_document(tree: etree._ElementTree, name: str) -> None:
    # Any DOCTYPE, even one without an internal subset, shows as an internal DTD.
    if tree.docinfo.internalDTD is not None:
        raise InvalidInput(f"{name}: a document type declaration is not accepted")
    root = etree.QName(tree.getroot())
    if root.localname not in _DOCUMENTS or root.namespace not in EPCIS_NAMESPACES:
        raise InvalidInput(
            f"{name}: root element {root.text} is not an EPCIS document or query "
            "document"
        )


def _refuse_namespaced_list(element: Element | None, name: str) -> None:
    """Refuse an EPCIS `EventList` put in a namespace, which would hide its events.

    Below the root, EPCIS's elements take no namespace; a document that declares
    the root's namespace as the default puts them all in it.
    """
    if element is None:
        return
    tag = element.tag
    if not isinstance(tag, str) or not tag.endswith("}EventList"):
        return
    namespace = etree.QName(element).namespace
    if namespace in EPCIS_NAMESPACES:
        raise InvalidInput(
            f"{name}:{element.sourceline}: EventList is in the namespace "
            f"{namespace}; the elements below the root take no namespace"
        )


def _in_event_list(parent: Element | None) -> bool:
    if parent is None:
        return False
    if parent.tag == "EventList":
        return True
    # EPCIS 1.x puts the event types it added later inside an extension wrapper.
    grandparent = parent.getparent()
    return (
        parent.tag == "extension"
        and grandparent is not None
        and grandparent.tag == "EventList"
    )


def _release(element: Element, parent: Element | None) -> None:
    """Drop the event and what came before it, so memory stays flat."""
    element.clear()
    while parent is not None:
        while element.getprevious() is not None:
            del parent[0]
        if parent.tag == "EventList":
            return
        element, parent = parent, parent.getparent()


def _children(element: Element) -> list[tuple[str, Element]]:
    """Child elements with their tags, looking through 1.x extension wrappers."""
    children = []
    for child in element:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        if tag in _WRAPPERS:
            children += _children(child)
        else:
            children.append((tag, child))
    return children


def _named(element: Element, tag: str) -> list[Element]:
    """Child elements named `tag`, looking through 1.x extension wrappers."""
    named = []
    for child in element:
        name = child.tag
        if name == tag:
            named.append(child)
        elif name in _WRAPPERS:
            named += _named(child, tag)
    return named


def _is_nil(element: Element) -> bool:
    return element.get(_XSI_NIL) in ("true", "1")


def _text(element: Element) -> str | None:
    # Few elements have attributes, and listing none costs less than a lookup.
    if element.keys() and _is_nil(element):
        return None
    return (element.text or "").strip()


def _event_fields(event: Element) -> Fields:
    fields: Fields = {}
    _read_fields(fields, event)
    return fields


def _read_fields(fields: Fields, element: Element) -> None:
    """Add the fields of an event (or of a 1.x extension wrapper in it)."""
    # The loop of _children, done here: events have many fields.
    for child in element:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        read = _STANDARD_READERS.get(tag)
        if read is not None:
            if tag not in fields:
                fields[tag] = read(child)
        elif tag in _WRAPPERS:
            _read_fields(fields, child)
        else:
            _add(fields, tag, _extension_value(child))


def _texts(element: Element, tag: str) -> list[str]:
    """The texts of the child elements named `tag` that have one."""
    return [text for child in _named(element, tag) if (text := _text(child))]


def _quantity(element: Element) -> Fields:
    fields: Fields = {}
    for tag, child in _children(element):
        if tag in ("epcClass", "quantity", "uom"):
            text = _text(child)
            if text:
                fields[tag] = text
    return fields


def _typed_list(element: Element, tag: str) -> list[Fields]:
    entries: list[Fields] = []
    for child in _named(element, tag):
        entry: Fields = {tag: (child.text or "").strip()}
        # One look at the attributes finds both the type and xsi:nil.
        for name, value in child.items():
            if name == "type":
                entry["type"] = value.strip()
            elif name == _XSI_NIL and value in ("true", "1"):
                entry[tag] = None
        entries.append(entry)
    return entries


def _location(element: Element) -> Fields:
    fields: Fields = {}
    for tag, child in _children(element):
        if tag == "id":
            fields.setdefault("id", _text(child))
        else:
            _add(fields, tag, _extension_value(child))
    return fields


def _error_declaration(element: Element) -> Fields:
    fields: Fields = {}
    for tag, child in _children(element):
        if tag in ("declarationTime", "reason"):
            fields.setdefault(tag, _text(child))
        elif tag == "correctiveEventIDs":
            fields["correctiveEventIDs"] = _texts(child, "correctiveEventID")
        else:
            _add(fields, tag, _extension_value(child))
    return fields


def _sensor_element(element: Element) -> Fields:
    fields: Fields = {}
    reports: list[Fields] = []
    for tag, child in _children(element):
        if tag == "sensorMetadata":
            fields.setdefault("sensorMetadata", _attribute_fields(child))
        elif tag == "sensorReport":
            reports.append(_attribute_fields(child))
        else:
            _add(fields, tag, _extension_value(child))
    if reports:
        fields["sensorReport"] = reports
    return fields


def _attribute_fields(element: Element) -> Fields:
    """A sensor element's fields: its attributes, then any extension children."""
    fields: Fields = {
        str(key): value.strip()
        for key, value in element.attrib.items()
        if key != _XSI_NIL
    }
    for tag, child in _children(element):
        _add(fields, tag, _extension_value(child))
    return fields


def _extension_fields(element: Element) -> Fields:
    fields: Fields = {}
    for tag, child in _children(element):
        _add(fields, tag, _extension_value(child))
    return fields


def _extension_value(element: Element) -> object:
    """A user extension element as text, or as JSON-shaped data when it has structure.

    Children become keys (repeats a list), attributes `@`-prefixed keys and text
    beside children `#text`.
    """
    # Most extensions are plain text: no attributes, no child elements.
    if not element.keys() and not len(element):
        return (element.text or "").strip()
    attributes = {
        f"@{key!s}": value for key, value in element.attrib.items() if key != _XSI_NIL
    }
    children = [child for child in element if isinstance(child.tag, str)]
    text = "" if _is_nil(element) else (element.text or "")
    if not children and not attributes:
        return text.strip()

    fields: Fields = dict(attributes)
    for child in children:
        _add(fields, child.tag, _extension_value(child))
    if text.strip():
        fields["#text"] = text.strip()
    return fields


def _persistent_disposition(element: Element) -> Fields:
    return {"set": _texts(element, "set"), "unset": _texts(element, "unset")}


def _quantity_list(element: Element) -> list[Fields]:
    return [_quantity(item) for item in _named(element, "quantityElement")]


def _sensor_element_list(element: Element) -> list[Fields]:
    return [_sensor_element(item) for item in _named(element, "sensorElement")]


_STANDARD_READERS: Final[dict[str, Callable[[Element], object]]] = {
    **dict.fromkeys(_TEXT_FIELDS, _text),
    **{tag: partial(_texts, tag="epc") for tag in _EPC_LISTS},
    **dict.fromkeys(_QUANTITY_LISTS, _quantity_list),
    **{tag: partial(_typed_list, tag=item) for tag, item in _TYPED_LISTS.items()},
    "readPoint": _location,
    "bizLocation": _location,
    "persistentDisposition": _persistent_disposition,
    "errorDeclaration": _error_declaration,
    "sensorElementList": _sensor_element_list,
    "ilmd": _extension_fields,
}
"""How each standard field of an event is read, by its tag."""


def _add(fields: Fields, key: str, value: object) -> None:
    """Set `key`, turning a repeated element into a list of its values."""
    key = canonical_tag(key)
    if key not in fields:
        fields[key] = value
        return
    present = fields[key]
    if isinstance(present, list):
        present.append(value)
    else:
        fields[key] = [present, value]
