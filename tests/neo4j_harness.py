"""A real Neo4j 5 for tests: from the environment, a container, or Maven artifacts.

`Neo4jHarness` tries three sources in order and uses the first that works:

1. ``NEO4J_URI`` (with ``NEO4J_USER``, ``NEO4J_PASSWORD``, ``NEO4J_DATABASE``): a server
   someone else runs. When it is set nothing else is tried, so a wrong address fails
   instead of quietly testing something else.
2. A ``neo4j`` Community container through testcontainers, when a Docker engine answers.
3. `MavenNeo4jServer`: the embedded Community DBMS that ``neo4j_server/`` builds from
   Maven Central, listening on 127.0.0.1 only, with authentication off (it accepts any
   credentials). This one can also be stopped, killed and restarted on the same data
   directory and port.

Example::

    with Neo4jHarness(work_dir) as harness:
        endpoint = harness.endpoint
        driver = neo4j.GraphDatabase.driver(endpoint.uri, auth=endpoint.auth)

The Maven-started Java process reads its standard input and shuts down when it ends, so
it cannot outlive the Python process that started it, however that process ends.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Literal, Self

import neo4j

if TYPE_CHECKING:
    from testcontainers.community.neo4j import Neo4jContainer

logger = logging.getLogger(__name__)

SERVER_PROJECT = Path(__file__).resolve().parent / "neo4j_server"
MAIN_CLASS = "graphsvc.neo4jtest.Neo4jTestServer"
TEST_PASSWORD = "graphsvc-test"
CONTAINER_IMAGE = "neo4j:5.26-community"
DEFAULT_DATABASE = "neo4j"

# Tests start servers often and run small workloads, so the quick client compiler alone
# (TieredStopAtLevel=1) pays: on two cores it roughly halves the start time. A JVM out
# of memory should die at once rather than limp along and time tests out. The opened
# package lets Neo4j's page cache use direct buffers as it prefers.
JVM_OPTIONS = (
    "-Xms256m",
    "-Xmx2g",
    "-XX:TieredStopAtLevel=1",
    "-XX:+ExitOnOutOfMemoryError",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
)

Source = Literal["env", "testcontainers", "maven"]


class Neo4jUnavailable(RuntimeError):
    """No Neo4j could be had; the message says why, for each source tried."""


@dataclass(frozen=True)
class Neo4jEndpoint:
    """Where a Neo4j server answers and how to log in to it."""

    uri: str
    user: str
    password: str
    database: str = DEFAULT_DATABASE

    @property
    def auth(self) -> tuple[str, str]:
        """The basic-auth pair the driver takes."""
        return (self.user, self.password)


def check_reachable(endpoint: Neo4jEndpoint, timeout: float = 30.0) -> None:
    """Run one query on the endpoint's database, or raise `Neo4jUnavailable`."""
    try:
        # No retries: an unreachable server should be reported now, not in a minute.
        with neo4j.GraphDatabase.driver(
            endpoint.uri,
            auth=endpoint.auth,
            connection_timeout=timeout,
            max_transaction_retry_time=0,
        ) as driver:
            driver.execute_query("RETURN 1", database_=endpoint.database)
    except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError, OSError) as err:
        raise Neo4jUnavailable(
            f"{endpoint.uri} (database {endpoint.database}) does not answer: {err}"
        ) from err


# --- building the launcher ---------------------------------------------------------


def _build_inputs() -> list[Path]:
    return [SERVER_PROJECT / "pom.xml", *(SERVER_PROJECT / "src").rglob("*")]


def _build_stamp() -> Path:
    return SERVER_PROJECT / "target" / "build.stamp"


def build_is_current() -> bool:
    """True when target/ holds a build at least as new as the pom and sources."""
    stamp = _build_stamp()
    if not stamp.exists() or not (SERVER_PROJECT / "target" / "lib").is_dir():
        return False
    newest_input = max(path.stat().st_mtime for path in _build_inputs())
    return stamp.stat().st_mtime >= newest_input


def build_server(timeout: float = 1800.0) -> None:
    """Build the launcher with Maven unless the build in target/ is current.

    A cold build downloads about 120 MiB of jars from Maven Central. A file lock keeps
    parallel test processes from building over each other.
    """
    mvn = shutil.which("mvn")
    if mvn is None:
        raise Neo4jUnavailable("mvn is not on PATH, so the launcher cannot be built")

    target = SERVER_PROJECT / "target"
    target.mkdir(exist_ok=True)
    with (target / "build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if build_is_current():
            return

        logger.info("neo4j_launcher_build project=%s", SERVER_PROJECT)
        started = time.monotonic()
        build_log = target / "build.log"
        with build_log.open("w") as log:
            try:
                done = subprocess.run(
                    [mvn, "-B", "-q", "package"],
                    cwd=SERVER_PROJECT,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    timeout=timeout,
                    check=False,
                )
            except subprocess.TimeoutExpired as err:
                raise Neo4jUnavailable(
                    f"the Maven build took over {timeout:.0f} s; see {build_log}"
                ) from err
        if done.returncode != 0:
            raise Neo4jUnavailable(
                f"the Maven build failed (exit {done.returncode}):\n"
                + _tail(build_log, 30)
            )
        _build_stamp().touch()
        logger.info("neo4j_launcher_built seconds=%.1f", time.monotonic() - started)


def _tail(path: Path, lines: int) -> str:
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return "(no output)"
    return "\n".join(text.splitlines()[-lines:])


# --- the Maven-started server ------------------------------------------------------


class MavenNeo4jServer:
    """One Neo4j process from the Maven-built launcher, on a fixed home directory.

    The first `start` takes a free port unless one is given; later starts reuse it, so
    the endpoint stays the same across `stop`, `kill` and `restart`. Its output goes to
    ``server.log`` in `home`, Neo4j's own logs to ``home/logs``.
    """

    def __init__(
        self,
        home: Path,
        *,
        port: int = 0,
        start_timeout: float = 180.0,
        jvm_options: tuple[str, ...] = JVM_OPTIONS,
        page_cache: int | None = None,
    ) -> None:
        self.home = home
        self.page_cache = page_cache
        """Bytes of page cache; the launcher's default (128 MiB) when None."""
        self.port = port
        self.start_timeout = start_timeout
        self.jvm_options = jvm_options
        self._process: subprocess.Popen[bytes] | None = None
        self._stdin: IO[bytes] | None = None

    @property
    def log_path(self) -> Path:
        """The launcher's standard output and error, all starts appended."""
        return self.home / "server.log"

    @property
    def endpoint(self) -> Neo4jEndpoint:
        """The address and login; valid once the server has started once.

        The server checks no password; the login is the one a real server would want,
        so that code under test sends credentials as it would in production.
        """
        if self.port == 0:
            raise Neo4jUnavailable("the server has not been started yet")
        return Neo4jEndpoint(
            uri=f"bolt://127.0.0.1:{self.port}",
            user="neo4j",
            password=TEST_PASSWORD,
            database=DEFAULT_DATABASE,
        )

    @property
    def pid(self) -> int | None:
        """The Java process id while one was started and not yet stopped."""
        return None if self._process is None else self._process.pid

    @property
    def running(self) -> bool:
        """True while the Java process is alive."""
        return self._process is not None and self._process.poll() is None

    def start(self) -> Neo4jEndpoint:
        """Start the server (building the launcher if needed) and wait until ready."""
        if self.running:
            raise Neo4jUnavailable("the server is already running")
        java = shutil.which("java")
        if java is None:
            raise Neo4jUnavailable("java is not on PATH")
        build_server()

        self.home.mkdir(parents=True, exist_ok=True)
        classpath = os.pathsep.join(
            [
                str(SERVER_PROJECT / "target" / "classes"),
                str(SERVER_PROJECT / "target" / "lib" / "*"),
            ]
        )
        command = [
            java,
            *self.jvm_options,
            "-cp",
            classpath,
            MAIN_CLASS,
            str(self.home),
            "--port",
            str(self.port),
        ]
        if self.page_cache is not None:
            command += ["--pagecache", str(self.page_cache)]
        started = time.monotonic()
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with self.log_path.open("ab") as log:
            # The pipe is never written to: its closing is the stop signal, and the
            # kernel closes it for us if this process dies.
            self._process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT
            )
        self._stdin = self._process.stdin

        uri = self._await_ready(offset, started + self.start_timeout)
        self.port = int(uri.rsplit(":", 1)[1])
        logger.info(
            "neo4j_started uri=%s seconds=%.1f", uri, time.monotonic() - started
        )
        return self.endpoint

    def stop(self, timeout: float = 60.0) -> None:
        """Shut down cleanly (end of standard input), escalating if it hangs."""
        process = self._process
        if process is None:
            return
        self._close_stdin()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            logger.warning("neo4j_stop_slow pid=%d action=SIGTERM", process.pid)
            process.terminate()
            try:
                process.wait(30.0)
            except subprocess.TimeoutExpired:
                logger.warning("neo4j_stop_slow pid=%d action=SIGKILL", process.pid)
                process.kill()
                process.wait()
        self._process = None

    def kill(self) -> None:
        """Kill the process outright (SIGKILL), as a crash or power cut would."""
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            process.kill()
        process.wait()
        self._close_stdin()
        self._process = None

    def restart(self) -> Neo4jEndpoint:
        """Stop cleanly, then start again on the same home directory and port."""
        self.stop()
        return self.start()

    def _close_stdin(self) -> None:
        if self._stdin is not None:
            # The child may be gone already; a broken pipe is then expected.
            with contextlib.suppress(BrokenPipeError):
                self._stdin.close()
            self._stdin = None

    def _await_ready(self, offset: int, deadline: float) -> str:
        """Wait for the launcher's ready line in the log, written after `offset`."""
        assert self._process is not None
        while True:
            for line in self._complete_lines_since(offset):
                if line.startswith("NEO4J_READY "):
                    return line.split()[1]
                if line.startswith("NEO4J_FAILED"):
                    self.kill()
                    raise Neo4jUnavailable(
                        f"Neo4j failed to start: {line}\n" + _tail(self.log_path, 30)
                    )
            code = self._process.poll()
            if code is not None:
                self._close_stdin()
                self._process = None
                raise Neo4jUnavailable(
                    f"the Neo4j launcher exited with {code} before it was ready:\n"
                    + _tail(self.log_path, 30)
                )
            if time.monotonic() > deadline:
                self.kill()
                raise Neo4jUnavailable(
                    f"Neo4j was not ready within {self.start_timeout:.0f} s; "
                    f"see {self.log_path} and {self.home / 'logs' / 'debug.log'}"
                )
            time.sleep(0.1)

    def _complete_lines_since(self, offset: int) -> list[str]:
        with self.log_path.open("rb") as log:
            log.seek(offset)
            text = log.read().decode(errors="replace")
        # The last piece may be a line still being written.
        return text.split("\n")[:-1]

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


# --- a container -------------------------------------------------------------------


def docker_engine_problem() -> str | None:
    """Why testcontainers cannot run a container here, or None when it can."""
    try:
        import docker.errors
        from testcontainers.core.docker_client import DockerClient
    except ImportError as err:
        return f"{err.name} is not installed"

    try:
        client = DockerClient()
        client.client.ping()
    except (docker.errors.DockerException, OSError) as err:
        return f"no Docker engine answers ({err})"
    client.client.close()
    return None


# --- choosing a source -------------------------------------------------------------


class Neo4jHarness:
    """A Neo4j for one test session, from the first source that works.

    `source` says which one it came from; `server` is the `MavenNeo4jServer` when that
    was the source (the only one that tests can stop and restart), else None.
    """

    def __init__(
        self,
        work_dir: Path | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self._work_dir = work_dir
        self._owns_work_dir = False
        self._environ = os.environ if environ is None else environ
        self._container: Neo4jContainer | None = None
        self.source: Source | None = None
        self.server: MavenNeo4jServer | None = None
        self._endpoint: Neo4jEndpoint | None = None

    @property
    def endpoint(self) -> Neo4jEndpoint:
        """The server's address and login, once `start` has returned."""
        if self._endpoint is None:
            raise Neo4jUnavailable("the harness has not been started")
        return self._endpoint

    def start(self) -> Neo4jEndpoint:
        """Get a working Neo4j or raise `Neo4jUnavailable` naming every cause."""
        uri = self._environ.get("NEO4J_URI")
        if uri:
            endpoint = Neo4jEndpoint(
                uri=uri,
                user=self._environ.get("NEO4J_USER", "neo4j"),
                password=self._environ.get("NEO4J_PASSWORD", ""),
                database=self._environ.get("NEO4J_DATABASE", DEFAULT_DATABASE),
            )
            try:
                check_reachable(endpoint)
            except Neo4jUnavailable as err:
                raise Neo4jUnavailable(f"NEO4J_URI is set but {err}") from err
            return self._started("env", endpoint)

        reasons: list[str] = []
        docker_problem = docker_engine_problem()
        if docker_problem is None:
            try:
                return self._started("testcontainers", self._start_container())
            except Neo4jUnavailable as err:
                logger.warning("neo4j_container_failed error=%s", err)
                reasons.append(f"testcontainers: {err}")
        else:
            reasons.append(f"testcontainers: {docker_problem}")

        try:
            return self._started("maven", self._start_maven())
        except Neo4jUnavailable as err:
            reasons.append(f"Maven-built server: {err}")
        raise Neo4jUnavailable("no Neo4j could be started. " + " | ".join(reasons))

    def close(self) -> None:
        """Stop whatever `start` started and remove a work directory it made."""
        if self.server is not None:
            self.server.stop()
        if self._container is not None:
            self._container.stop()
            self._container = None
        if self._owns_work_dir and self._work_dir is not None:
            shutil.rmtree(self._work_dir, ignore_errors=True)
            self._work_dir = None

    def _started(self, source: Source, endpoint: Neo4jEndpoint) -> Neo4jEndpoint:
        self.source = source
        self._endpoint = endpoint
        logger.info("neo4j_ready source=%s uri=%s", source, endpoint.uri)
        return endpoint

    def _start_container(self) -> Neo4jEndpoint:
        from docker.errors import DockerException
        from testcontainers.community.neo4j import Neo4jContainer

        container = Neo4jContainer(
            image=CONTAINER_IMAGE, username="neo4j", password=TEST_PASSWORD
        )
        try:
            container.start()
        except (DockerException, OSError, neo4j.exceptions.DriverError) as err:
            # A container that started but never became ready would otherwise stay
            # until testcontainers' reaper notices this process has gone.
            with contextlib.suppress(DockerException, OSError):
                container.stop()
            raise Neo4jUnavailable(
                f"the {CONTAINER_IMAGE} container failed: {err}"
            ) from err
        self._container = container
        return Neo4jEndpoint(
            uri=container.get_connection_url(),
            user="neo4j",
            password=TEST_PASSWORD,
            database=DEFAULT_DATABASE,
        )

    def _start_maven(self) -> Neo4jEndpoint:
        if self._work_dir is None:
            self._work_dir = Path(tempfile.mkdtemp(prefix="graphsvc-neo4j-"))
            self._owns_work_dir = True
        server = MavenNeo4jServer(self._work_dir / "neo4j-home")
        endpoint = server.start()
        self.server = server
        return endpoint

    def __enter__(self) -> Self:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
