"""How fast EPCIS documents load into the embedded store, beside merely parsing them.

    .venv/bin/python bench/epcis_load_bench.py [--events N] [--keep DIR]
    .venv/bin/python bench/epcis_load_bench.py --profile DOCUMENT

Writes a supply chain of N events (default 100,000) as one EPCIS 2.0 JSON-LD document
and one EPCIS 2.0 XML document: items commissioned at factories with their lot, packed
into cases and cases onto pallets (aggregation ADD), pallets shipped and received
between owning parties with a purchase order, unpacked at the distribution centre
(aggregation DELETE) and their cases observed in storage. Then, each in a fresh
process so that peak memory is its own, it times:

- floor: `json.load` of the document, or lxml `iterparse` clearing each event;
- parse: `parse_epcis` over the document (checked, normalised, hashed events);
- load: `ingest_epcis` into a fresh embedded store (parse, keep, write the graph),
  then the findings refresh a capture runs after it, timed apart.

It prints events/s for each and the floor's rate over the load's, with peak resident
memory (the load's before the refresh, then with it), for the document of N events
and for one of N/4: memory that stays flat from one to the other shows streaming.
`--profile` loads one document (written by `--keep`) under pyinstrument and prints
where the time goes.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Final, TextIO

from lxml import etree

from loaders.epcis import EpcisEvent, EventRejection, parse_epcis

ITEMS_PER_CASE: Final = 10
CASES_PER_PALLET: Final = 4
EVENTS_PER_PALLET: Final = 3 * CASES_PER_PALLET + 4
"""Per case: commission, pack, store; per pallet: load, ship, receive, unload."""
COMPANY: Final = "0614141"
FACTORIES: Final = 5
CENTRES: Final = 20
START: Final = datetime(2024, 1, 1, tzinfo=timezone(timedelta(hours=1)))
CONTEXT: Final = "https://ref.gs1.org/standards/epcis/epcis-context.jsonld"
XML_HEAD: Final = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<epcis:EPCISDocument '
    'xmlns:epcis="urn:epcglobal:epcis:xsd:2" '
    'xmlns:cbvmda="urn:epcglobal:cbv:mda" schemaVersion="2.0" '
    'creationDate="2026-01-01T00:00:00Z"><EPCISBody><EventList>\n'
)
XML_TAIL: Final = "</EventList></EPCISBody></epcis:EPCISDocument>\n"
EVENT_TAGS: Final = ("ObjectEvent", "AggregationEvent")


@dataclass
class Event:
    """What varies between the benchmark's events; both syntaxes render it."""

    type: str
    action: str
    step: str
    time: str
    site: str
    epcs: list[str] = field(default_factory=list)
    parent: str | None = None
    lot: str | None = None
    order: str | None = None
    source: str | None = None
    destination: str | None = None


def sgtin(serial: int) -> str:
    return f"urn:epc:id:sgtin:{COMPANY}.1{serial % 7:05d}.{serial}"


def sscc(serial: int) -> str:
    return f"urn:epc:id:sscc:{COMPANY}.{serial:010d}"


def sgln(location: int) -> str:
    return f"urn:epc:id:sgln:{COMPANY}.{location:05d}.0"


def pgln(party: int) -> str:
    return f"urn:epc:id:pgln:{COMPANY}.{party:05d}"


def stamp(minutes: int) -> str:
    return (START + timedelta(minutes=minutes)).isoformat()


def supply_chain(count: int) -> Iterator[Event]:
    """`count` events (rounded down to whole pallets) of the chain described above."""
    for pallet in range(count // EVENTS_PER_PALLET):
        factory, centre = pallet % FACTORIES, FACTORIES + pallet % CENTRES
        here, there = sgln(factory + 1), sgln(centre + 1)
        minute = pallet * 7
        cases = [sscc(pallet * (CASES_PER_PALLET + 1) + c) for c in range(4)]
        carrier = sscc(pallet * (CASES_PER_PALLET + 1) + CASES_PER_PALLET)
        lot = f"L{pallet // 50:05d}"
        for n, case in enumerate(cases):
            first = (pallet * CASES_PER_PALLET + n) * ITEMS_PER_CASE
            items = [sgtin(first + i) for i in range(ITEMS_PER_CASE)]
            yield Event("ObjectEvent", "ADD", "commissioning", stamp(minute), here,
                        items, lot=lot)  # fmt: skip
            yield Event("AggregationEvent", "ADD", "packing", stamp(minute + 1),
                        here, items, parent=case)  # fmt: skip
        yield Event("AggregationEvent", "ADD", "packing", stamp(minute + 2), here,
                    cases, parent=carrier)  # fmt: skip
        order = f"urn:epcglobal:cbv:bt:{COMPANY}000009:{pallet}"
        owner, buyer = pgln(factory + 1), pgln(centre + 1)
        for step, at, offset in (("shipping", here, 3), ("receiving", there, 600)):
            yield Event("ObjectEvent", "OBSERVE", step, stamp(minute + offset), at,
                        [carrier], order=order, source=owner,
                        destination=buyer)  # fmt: skip
        yield Event("AggregationEvent", "DELETE", "unpacking", stamp(minute + 601),
                    there, cases, parent=carrier)  # fmt: skip
        for case in cases:
            yield Event("ObjectEvent", "OBSERVE", "storing", stamp(minute + 602),
                        there, [case])  # fmt: skip


def json_event(event: Event) -> dict[str, Any]:
    data: dict[str, Any] = {
        "type": event.type,
        "eventTime": event.time,
        "eventTimeZoneOffset": "+01:00",
    }
    if event.parent is not None:
        data["parentID"] = event.parent
        data["childEPCs"] = event.epcs
    else:
        data["epcList"] = event.epcs
    data["action"] = event.action
    data["bizStep"] = event.step
    data["readPoint"] = {"id": event.site}
    data["bizLocation"] = {"id": event.site}
    if event.order is not None:
        data["bizTransactionList"] = [{"type": "po", "bizTransaction": event.order}]
    if event.source is not None:
        data["sourceList"] = [{"type": "owning_party", "source": event.source}]
    if event.destination is not None:
        data["destinationList"] = [
            {"type": "owning_party", "destination": event.destination}
        ]
    if event.lot is not None:
        data["ilmd"] = {"cbvmda:lotNumber": event.lot}
    return data


def xml_event(event: Event) -> str:
    epcs = "".join(f"<epc>{epc}</epc>" for epc in event.epcs)
    parts = [
        f"<{event.type}><eventTime>{event.time}</eventTime>",
        "<eventTimeZoneOffset>+01:00</eventTimeZoneOffset>",
    ]
    if event.parent is not None:
        parts.append(
            f"<parentID>{event.parent}</parentID><childEPCs>{epcs}</childEPCs>"
        )
    else:
        parts.append(f"<epcList>{epcs}</epcList>")
    parts.append(f"<action>{event.action}</action>")
    parts.append(f"<bizStep>urn:epcglobal:cbv:bizstep:{event.step}</bizStep>")
    parts.append(f"<readPoint><id>{event.site}</id></readPoint>")
    parts.append(f"<bizLocation><id>{event.site}</id></bizLocation>")
    if event.order is not None:
        parts.append(
            '<bizTransactionList><bizTransaction type="urn:epcglobal:cbv:btt:po">'
            f"{event.order}</bizTransaction></bizTransactionList>"
        )
    if event.source is not None:
        parts.append(
            '<sourceList><source type="urn:epcglobal:cbv:sdt:owning_party">'
            f"{event.source}</source></sourceList>"
        )
    if event.destination is not None:
        parts.append(
            '<destinationList><destination type="urn:epcglobal:cbv:sdt:owning_party">'
            f"{event.destination}</destination></destinationList>"
        )
    if event.lot is not None:
        parts.append(f"<ilmd><cbvmda:lotNumber>{event.lot}</cbvmda:lotNumber></ilmd>")
    parts.append(f"</{event.type}>\n")
    return "".join(parts)


def write_documents(count: int, folder: Path) -> tuple[Path, Path]:
    """The same events as EPCIS 2.0 JSON-LD and XML files, written as a stream."""
    json_path = folder / f"chain-{count}.jsonld"
    with json_path.open("w", encoding="utf-8") as out:
        _write_json(out, count)
    xml_path = folder / f"chain-{count}.xml"
    with xml_path.open("w", encoding="utf-8") as out:
        out.write(XML_HEAD)
        out.writelines(xml_event(event) for event in supply_chain(count))
        out.write(XML_TAIL)
    return json_path, xml_path


def _write_json(out: TextIO, count: int) -> None:
    head = {
        "@context": [CONTEXT],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-01-01T00:00:00Z",
    }
    out.write(json.dumps(head)[:-1] + ', "epcisBody": {"eventList": [\n')
    for n, event in enumerate(supply_chain(count)):
        out.write((",\n" if n else "") + json.dumps(json_event(event)))
    out.write("\n]}}\n")


# -- measuring, one process each -----------------------------------------------------


def measure(mode: str, path: Path, scratch: Path) -> dict[str, float]:
    """Events, seconds and peak RSS of one mode (floor, parse, load) on one file."""
    refresh = 0.0
    start = time.perf_counter()
    with path.open("rb") as source:
        if mode == "floor":
            events = _floor(source, path)
        elif mode == "parse":
            events = sum(1 for _ in _checked(parse_epcis(source, path.name)))
        else:
            events, refresh, ingest_kib = _load(source, path, scratch)
    seconds = time.perf_counter() - start - refresh
    peak_kib = _peak_kib()
    return {
        "events": events,
        "seconds": seconds,
        "refresh": refresh,
        "peak_mib": (ingest_kib if mode == "load" else peak_kib) / 1024,
        "refresh_peak_mib": peak_kib / 1024,
    }


def _checked(
    outcomes: Iterator[EpcisEvent | EventRejection],
) -> Iterator[EpcisEvent]:
    for outcome in outcomes:
        if isinstance(outcome, EventRejection):
            raise SystemExit(f"unexpected rejection: {outcome}")
        yield outcome


def _floor(source: Any, path: Path) -> int:
    if path.suffix == ".jsonld":
        return len(json.load(source)["epcisBody"]["eventList"])
    events = 0
    for _, element in etree.iterparse(source, tag=EVENT_TAGS):
        events += 1
        element.clear()
        while element.getprevious() is not None:
            del element.getparent()[0]
    return events


def _load(source: Any, path: Path, scratch: Path) -> tuple[int, float, int]:
    """Events loaded, seconds the refresh took, and the peak KiB before it."""
    from graphsvc.investigation import Investigation
    from graphsvc.store.embedded import EmbeddedStore
    from loaders.epcis.ingest import ingest_epcis

    store = EmbeddedStore(scratch / f"store-{path.name}")
    try:
        report = ingest_epcis(store, source, path.name)
        if report.rejected:
            raise SystemExit(f"unexpected rejection: {report.rejected[0]}")
        ingest_kib = _peak_kib()
        start = time.perf_counter()
        Investigation(store).refresh()
        return report.new, time.perf_counter() - start, ingest_kib
    finally:
        store.close()


def profile(path: Path) -> None:
    """Load `path` into a fresh store under pyinstrument; print the call tree."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.001)
    with tempfile.TemporaryDirectory() as scratch, path.open("rb") as source:
        profiler.start()
        events, _, _ = _load(source, path, Path(scratch))
        profiler.stop()
    print(f"{events:,} events")
    print(profiler.output_text(unicode=False, color=False))


def _peak_kib() -> int:
    """This process's own peak resident memory (VmHWM), in KiB."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _in_child(mode: str, path: Path, scratch: Path) -> dict[str, float]:
    command = [sys.executable, __file__, "--measure", mode, str(path), str(scratch)]
    output = subprocess.run(command, check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(output.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="write the documents here")
    parser.add_argument("--measure", nargs=3, metavar=("MODE", "PATH", "SCRATCH"))
    parser.add_argument("--profile", type=Path, metavar="DOCUMENT")
    args = parser.parse_args()
    if args.profile:
        profile(args.profile)
        return
    if args.measure:
        mode, path, scratch = args.measure
        print(json.dumps(measure(mode, Path(path), Path(scratch))))
        return

    with tempfile.TemporaryDirectory() as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        print(f"{'document':<20}{'MB':>6}{'floor ev/s':>12}{'parse ev/s':>12}"
              f"{'load ev/s':>11}{'ratio':>7}{'refresh s':>11}{'floor MiB':>11}"
              f"{'parse MiB':>11}{'load MiB':>10}{'+refresh MiB':>14}")  # fmt: skip
        for count in (args.events // 4, args.events):
            for path in write_documents(count, folder):
                _report(path, Path(temporary))


def _report(path: Path, scratch: Path) -> None:
    floor, parse, load = (
        _in_child(m, path, scratch) for m in ("floor", "parse", "load")
    )
    assert floor["events"] == parse["events"] == load["events"], (floor, parse, load)
    rates = [r["events"] / r["seconds"] for r in (floor, parse, load)]
    print(
        f"{path.name:<20}{path.stat().st_size / 1e6:>6.0f}"
        f"{rates[0]:>12,.0f}{rates[1]:>12,.0f}{rates[2]:>11,.0f}"
        f"{rates[0] / rates[2]:>7.1f}{load['refresh']:>11.1f}"
        f"{floor['peak_mib']:>11.0f}{parse['peak_mib']:>11.0f}{load['peak_mib']:>10.0f}"
        f"{load['refresh_peak_mib']:>14.0f}",
        flush=True,
    )


if __name__ == "__main__":
    main()
