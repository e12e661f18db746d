"""docker-compose.yml parses and refers only to what the project provides."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from graphsvc.cli import main
from graphsvc.store import NEO4J_SETTINGS, STORES

REPO = Path(__file__).resolve().parents[1]


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    return loaded


def test_the_service_waits_for_a_healthy_neo4j_5() -> None:
    services = compose()["services"]

    assert sorted(services) == ["graphsvc", "neo4j"]
    assert re.fullmatch(r"neo4j:5\.\d+-community", services["neo4j"]["image"])
    assert "test" in services["neo4j"]["healthcheck"]
    assert services["graphsvc"]["depends_on"] == {
        "neo4j": {"condition": "service_healthy"}
    }


def test_neo4j_keeps_its_data_on_a_named_volume() -> None:
    spec = compose()

    (volume,) = spec["services"]["neo4j"]["volumes"]
    name, path = volume.split(":")
    assert path == "/data"
    assert name in spec["volumes"]


def test_the_service_reads_the_settings_the_code_reads() -> None:
    service = compose()["services"]["graphsvc"]
    environment = service["environment"]

    assert environment["GRAPHSVC_STORE"] in STORES
    assert environment["GRAPHSVC_STORE"] == "neo4j"
    given = set(environment) | {"NEO4J_PASSWORD"}
    assert set(NEO4J_SETTINGS) <= given
    assert service["env_file"] == ".env"
    example = (REPO / ".env.example").read_text()
    assert re.search(r"^NEO4J_PASSWORD=$", example, re.MULTILINE)


def test_the_service_is_built_here_and_runs_a_real_command() -> None:
    service = compose()["services"]["graphsvc"]
    command = service["command"]

    assert service["build"] == "."
    dockerfile = (REPO / "Dockerfile").read_text()
    for line in re.findall(r"^COPY (.+)$", dockerfile, re.MULTILINE):
        *sources, _ = line.split()
        if sources[0].startswith("--from="):
            continue  # copied from an earlier stage, not from the checkout
        for source in sources:
            assert (REPO / source).exists(), source
    subcommand = main.commands[command[0]]
    # Parsing the arguments raises if an option does not exist.
    subcommand.make_context(command[0], list(command[1:]))


def test_an_open_service_is_published_on_loopback_only() -> None:
    service = compose()["services"]["graphsvc"]

    assert service["environment"]["GRAPHSVC_ALLOW_OPEN"] == "1"
    assert all(port.startswith("127.0.0.1:") for port in service["ports"])


def test_the_image_builds_the_explorer_it_serves() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    ignored = (REPO / ".dockerignore").read_text().split()

    # A checkout holds no bundle (it is not committed), so the image must make one;
    # a bundle or node_modules left in a checkout must not slip in instead.
    assert "RUN npm ci --no-audit --no-fund" in dockerfile
    assert "RUN npm run build" in dockerfile
    assert re.search(
        r"^COPY --from=explorer \S+/explorer/static ./graphsvc/explorer/static$",
        dockerfile,
        re.MULTILINE,
    )
    assert "COPY pyproject.toml setup.py MANIFEST.in README.md ./" in dockerfile
    assert {"graphsvc/explorer/static", "**/node_modules", ".venv"} <= set(ignored)


def test_the_service_keeps_its_data_directory_on_a_named_volume() -> None:
    spec = compose()
    dockerfile = (REPO / "Dockerfile").read_text()
    (data_dir,) = re.findall(r"^ENV GRAPHSVC_DATA_DIR=(\S+)$", dockerfile, re.MULTILINE)

    (volume,) = spec["services"]["graphsvc"]["volumes"]
    name, path = volume.split(":")
    assert path == data_dir
    assert name in spec["volumes"]
