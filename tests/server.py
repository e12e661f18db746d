"""A real graphsvc server in a subprocess, on a free loopback port, for HTTP tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2

STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class Server:
    """A running server: its base URL and a GraphQL helper."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.client = httpx2.Client(base_url=url, timeout=30)

    def graphql(self, query: str, **variables: Any) -> dict[str, Any]:
        response = self.client.post(
            "/graphql", json={"query": query, "variables": variables}
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@contextmanager
def serve(
    data_dir: Path, *args: str, env: dict[str, str] | None = None
) -> Iterator[Server]:
    """Run `graphsvc serve` on `data_dir` until the block ends."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "graphsvc",
        "serve",
        "--data-dir",
        str(data_dir),
        "--port",
        str(port),
        *args,
    ]
    log = (data_dir.parent / f"server-{port}.log").open("w")
    process = subprocess.Popen(
        command, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
    )
    server = Server(f"http://127.0.0.1:{port}")
    try:
        _wait_ready(server, process, data_dir.parent / f"server-{port}.log")
        yield server
    finally:
        server.client.close()
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_ready(server: Server, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()}")
        try:
            if server.client.get("/health").status_code == 200:
                return
        except httpx2.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server not ready after {STARTUP_SECONDS} s: {log.read_text()}")
