"""How fast the EPCIS parser reads a large document, beside merely parsing its syntax.

Writes one EPCIS 2.0 document of N events (default 100,000) as JSON-LD and as XML,
then, each in a fresh process so peak memory is its own, times:

- `parse_epcis` over the whole document (every event checked, normalised, hashed);
- the floor: `json.load` of the same bytes, or lxml `iterparse` clearing each event.

Prints events/s for both, their ratio and the peak RSS of each process.

    .venv/bin/python bench/epcis_parse_bench.py [--events N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from loaders.epcis import EventRejection, parse_epcis

_STEPS = ("commissioning", "packing", "shipping", "receiving", "storing")
_CONTEXT = [
    "https://ref.gs1.org/standards/epcis/epcis-context.jsonld",
    {"ext": "https://ns.example.com/bench/"},
]
_OWNER = "urn:epc:id:pgln:4012345.00000"
_BUYER = "urn:epc:id:pgln:0614141.00000"


@dataclass(frozen=True, slots=True)
class _Spec:
    """What varies between the benchmark's events; both syntaxes render it."""

    serials: tuple[str, ...]
    time: str
    step: str
    read_point: str
    order: str
    batch: str


def _specs(count: int) -> list[_Spec]:
    """`count` events: a few serials each, moving between 50 sites, with a PO."""
    rng = random.Random(7)
    return [
        _Spec(
            serials=tuple(
                f"urn:epc:id:sgtin:4012345.011111.{index * 3 + n}"
                for n in range(rng.randint(1, 3))
            ),
            time=f"2024-03-{1 + index % 28:02d}T10:{index % 60:02d}:"
            f"{index % 59:02d}.{index % 1000:03d}+01:00",
            step=_STEPS[index % len(_STEPS)],
            read_point=f"urn:epc:id:sgln:4012345.{rng.randint(1, 50):05d}.0",
            order=f"urn:epcglobal:cbv:bt:4012345000009:{index}",
            batch=f"B{index // 100}",
        )
        for index in range(count)
    ]


def _json_event(spec: _Spec) -> dict[str, object]:
    return {
        "type": "ObjectEvent",
        "eventTime": spec.time,
        "eventTimeZoneOffset": "+01:00",
        "epcList": list(spec.serials),
        "action": "OBSERVE",
        "bizStep": spec.step,
        "disposition": "in_transit",
        "readPoint": {"id": spec.read_point},
        "bizTransactionList": [{"type": "po", "bizTransaction": spec.order}],
        "sourceList": [{"type": "owning_party", "source": _OWNER}],
        "destinationList": [{"type": "owning_party", "destination": _BUYER}],
        "ext:batch": spec.batch,
    }


def _xml_event(spec: _Spec) -> str:
    epcs = "".join(f"<epc>{serial}</epc>" for serial in spec.serials)
    return (
        f"<ObjectEvent><eventTime>{spec.time}</eventTime>"
        "<eventTimeZoneOffset>+01:00</eventTimeZoneOffset>"
        f"<epcList>{epcs}</epcList><action>OBSERVE</action>"
        f"<bizStep>urn:epcglobal:cbv:bizstep:{spec.step}</bizStep>"
        "<disposition>urn:epcglobal:cbv:disp:in_transit</disposition>"
        f"<readPoint><id>{spec.read_point}</id></readPoint>"
        '<bizTransactionList><bizTransaction type="urn:epcglobal:cbv:btt:po">'
        f"{spec.order}</bizTransaction></bizTransactionList>"
        '<sourceList><source type="urn:epcglobal:cbv:sdt:owning_party">'
        f"{_OWNER}</source></sourceList>"
        '<destinationList><destination type="urn:epcglobal:cbv:sdt:owning_party">'
        f"{_BUYER}</destination></destinationList>"
        f"<ext:batch>{spec.batch}</ext:batch></ObjectEvent>\n"
    )


def write_documents(count: int, folder: Path) -> tuple[Path, Path]:
    """The same `count` events as EPCIS 2.0 JSON-LD and XML files in `folder`."""
    specs = _specs(count)

    json_path = folder / "bench.jsonld"
    document = {
        "@context": _CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2024-03-01T00:00:00Z",
        "epcisBody": {"eventList": [_json_event(spec) for spec in specs]},
    }
    json_path.write_text(json.dumps(document), encoding="utf-8")

    xml_path = folder / "bench.xml"
    with xml_path.open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<epcis:EPCISDocument '
            'xmlns:epcis="urn:epcglobal:epcis:xsd:2" '
            'xmlns:ext="https://ns.example.com/bench/" schemaVersion="2.0" '
            'creationDate="2024-03-01T00:00:00Z"><EPCISBody><EventList>\n'
        )
        out.writelines(_xml_event(spec) for spec in specs)
        out.write("</EventList></EPCISBody></epcis:EPCISDocument>\n")
    return json_path, xml_path


def _measure(mode: str, path: Path) -> dict[str, float]:
    """Run one measurement in this process; events counted, seconds, peak RSS."""
    start = time.perf_counter()
    events = 0
    with path.open("rb") as source:
        if mode == "parser":
            for outcome in parse_epcis(source, path.name):
                if isinstance(outcome, EventRejection):
                    raise SystemExit(f"unexpected rejection: {outcome}")
                events += 1
        elif path.suffix == ".jsonld":
            events = len(json.load(source)["epcisBody"]["eventList"])
        else:
            for _, element in etree.iterparse(source, tag="ObjectEvent"):
                events += 1
                element.clear()
                while element.getprevious() is not None:
                    del element.getparent()[0]
    seconds = time.perf_counter() - start
    return {"events": events, "seconds": seconds, "peak_mib": _peak_kib() / 1024}


def _peak_kib() -> int:
    """This process's peak resident memory in KiB.

    Linux's VmHWM is this program's own; ru_maxrss would also count the memory of
    the parent that forked it (the benchmark holding every event to write them).
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _in_child(mode: str, path: Path) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, __file__, "--measure", mode, str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, float] = json.loads(output)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="write the documents here")
    parser.add_argument("--measure", nargs=2, metavar=("MODE", "PATH"))
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(_measure(args.measure[0], Path(args.measure[1]))))
        return

    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        paths = write_documents(args.events, folder)
        print(f"{'document':<14}{'MB':>7}{'parser ev/s':>13}{'floor ev/s':>13}"
              f"{'ratio':>7}{'parser MiB':>12}{'floor MiB':>11}")  # fmt: skip
        for path in paths:
            ours = _in_child("parser", path)
            floor = _in_child("floor", path)
            assert ours["events"] == floor["events"] == args.events
            ours_rate = ours["events"] / ours["seconds"]
            floor_rate = floor["events"] / floor["seconds"]
            print(
                f"{path.name:<14}{path.stat().st_size / 1e6:>7.1f}"
                f"{ours_rate:>13,.0f}{floor_rate:>13,.0f}"
                f"{floor_rate / ours_rate:>7.1f}"
                f"{ours['peak_mib']:>12.0f}{floor['peak_mib']:>11.0f}"
            )


if __name__ == "__main__":
    main()
