"""API keys: stored hashed in a JSON file, or given plainly in the environment.

A key reads `<id>.<secret>`. The id says which record to check, so one request costs
one hash; the secret is never stored, only its scrypt hash with a salt of its own.
The file is read again whenever it changes, so a revocation takes effect on the next
request without a restart.

    >>> secret = add_key(path, "ci-reader", Role.READER)  # doctest: +SKIP
    >>> KeyRing(path).authenticate(secret)  # doctest: +SKIP
    Principal(key_id='ci-reader', role=<Role.READER: 'reader'>, brands=None)
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import threading
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from graphsvc.errors import ConfigError, InvalidInput
from graphsvc.security.roles import Principal, Role

log = logging.getLogger(__name__)

KEYS_FILE_ENV: Final = "GRAPHSVC_KEYS_FILE"
API_KEYS_ENV: Final = "GRAPHSVC_API_KEYS"

_ID: Final = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
_SCRYPT: Final = {"n": 2**11, "r": 8, "p": 1, "dklen": 32}
"""2 MiB and about 10 ms per check. Secrets are 256 random bits, so the hash only has
to be one-way and salted; a costlier one would hand anyone sending wrong keys a
cheap way to burn the server's CPU."""
_REMEMBERED_FAILURES: Final = 1024
"""Recently refused keys answered from memory, so repeating one costs no hash."""


@dataclass(frozen=True)
class KeyRecord:
    """One key as the keys file keeps it (without its secret)."""

    id: str
    role: Role
    brands: tuple[str, ...] | None
    salt: str
    hash: str
    created: str
    revoked: str | None = None

    def principal(self) -> Principal:
        brands = frozenset(self.brands) if self.brands is not None else None
        return Principal(self.id, self.role, brands)

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "role": self.role.value,
            "brands": list(self.brands) if self.brands is not None else None,
            "salt": self.salt,
            "hash": self.hash,
            "created": self.created,
            "revoked": self.revoked,
        }


def hash_secret(secret: str, salt: bytes) -> str:
    """The hex scrypt hash of `secret` with `salt`."""
    return hashlib.scrypt(secret.encode(), salt=salt, **_SCRYPT).hex()


def split_key(presented: str) -> tuple[str, str] | None:
    """`(id, secret)` of a presented key, None when it is not shaped like one."""
    key_id, dot, secret = presented.partition(".")
    if not dot or not secret or not _ID.fullmatch(key_id):
        return None
    return key_id, secret


def read_keys(path: Path) -> dict[str, KeyRecord]:
    """The records of a keys file by id; an absent file holds none."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as err:
        raise ConfigError(f"cannot read the keys file {path}: {err}") from err
    try:
        records = [_record(entry) for entry in data["keys"]]
    except (KeyError, TypeError, ValueError) as err:
        raise ConfigError(f"the keys file {path} is malformed: {err!r}") from err
    return {r.id: r for r in records}


def _record(entry: Mapping[str, object]) -> KeyRecord:
    brands = entry.get("brands")
    revoked = entry.get("revoked")
    return KeyRecord(
        id=str(entry["id"]),
        role=Role(entry["role"]),
        brands=tuple(str(b) for b in brands) if isinstance(brands, list) else None,
        salt=str(entry["salt"]),
        hash=str(entry["hash"]),
        created=str(entry["created"]),
        revoked=str(revoked) if revoked is not None else None,
    )


def write_keys(path: Path, records: Iterable[KeyRecord]) -> None:
    """Replace the keys file at once, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"keys": [r.to_json() for r in records]}, indent=2) + "\n"
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    temporary.replace(path)


def add_key(
    path: Path, key_id: str, role: Role, brands: Iterable[str] | None = None
) -> str:
    """Add a key to the keys file; returns the key, which is shown only this once."""
    if not _ID.fullmatch(key_id):
        raise InvalidInput(
            "a key id is 1 to 40 lowercase letters, digits or dashes, starting with "
            "a letter or digit",
            "id",
        )
    if brands is not None:
        brands = tuple(brands)
        if any(not b.strip() for b in brands):
            raise InvalidInput("a brand id must not be blank", "brand")
    records = read_keys(path)
    if key_id in records:
        raise InvalidInput(f"there is already a key {key_id!r}", "id")

    secret = secrets.token_urlsafe(32)
    salt = secrets.token_bytes(16)
    records[key_id] = KeyRecord(
        id=key_id,
        role=role,
        brands=tuple(sorted(set(brands))) if brands else None,
        salt=salt.hex(),
        hash=hash_secret(secret, salt),
        created=_now(),
    )
    write_keys(path, records.values())
    log.info("keys.added id=%s role=%s", key_id, role.value)
    return f"{key_id}.{secret}"


def revoke_key(path: Path, key_id: str) -> None:
    """Mark a key revoked; it is refused from the next request on."""
    records = read_keys(path)
    record = records.get(key_id)
    if record is None:
        raise InvalidInput(f"there is no key {key_id!r}", "id")
    if record.revoked is None:
        records[key_id] = replace(record, revoked=_now())
        write_keys(path, records.values())
    log.info("keys.revoked id=%s", key_id)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def parse_env_keys(text: str) -> dict[str, tuple[Principal, str]]:
    """Keys from `GRAPHSVC_API_KEYS`: `id:role:secret[:brand,brand]`, `;` between.

    Returns each key's principal and its full presented form (`id.secret`).
    """
    keys: dict[str, tuple[Principal, str]] = {}
    for entry in filter(None, (e.strip() for e in text.split(";"))):
        parts = entry.split(":")
        if len(parts) not in (3, 4) or not _ID.fullmatch(parts[0]) or not parts[2]:
            raise ConfigError(
                f"{API_KEYS_ENV} entries read id:role:secret[:brand,brand], "
                f"separated by ';' (entry {len(keys) + 1} does not)"
            )
        try:
            role = Role(parts[1])
        except ValueError:
            raise ConfigError(
                f"{API_KEYS_ENV}: role must be reader, loader or admin "
                f"(entry {len(keys) + 1})"
            ) from None
        brands = (
            frozenset(filter(None, parts[3].split(","))) if len(parts) == 4 else None
        )
        keys[parts[0]] = (Principal(parts[0], role, brands), f"{parts[0]}.{parts[2]}")
    return keys


class KeyRing:
    """The keys in force: a keys file (reread when it changes) and environment keys.

    Thread-safe; checks are cached by a digest of the presented key until the file
    changes (refusals only for the last 1,024 keys), so the scrypt cost is paid
    once per key and file version.
    """

    def __init__(self, path: Path | None = None, env_keys: str | None = None) -> None:
        self.path = path
        self._env = parse_env_keys(env_keys or "")
        self._records: dict[str, KeyRecord] = {}
        self._version: tuple[int, int, int] | None = None
        self._cache: dict[bytes, Principal | None] = {}
        self._failures: deque[bytes] = deque()
        self._lock = threading.Lock()
        self._reload_if_changed()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> KeyRing:
        """From `GRAPHSVC_KEYS_FILE` and `GRAPHSVC_API_KEYS`."""
        env = os.environ if environ is None else environ
        path = env.get(KEYS_FILE_ENV)
        return cls(Path(path) if path else None, env.get(API_KEYS_ENV))

    @property
    def configured(self) -> bool:
        """True when access is controlled: a keys file is named or keys are given."""
        return self.path is not None or bool(self._env)

    def authenticate(self, presented: str) -> Principal | None:
        """The principal of a presented key; None when it is unknown or revoked."""
        parts = split_key(presented)
        if parts is None:
            return None
        digest = hashlib.sha256(presented.encode()).digest()
        with self._lock:
            self._reload_if_changed()
            if digest in self._cache:
                return self._cache[digest]
            principal = self._check(parts[0], parts[1], presented)
            if principal is None and len(self._failures) >= _REMEMBERED_FAILURES:
                self._cache.pop(self._failures.popleft(), None)
            if principal is None:
                self._failures.append(digest)
            self._cache[digest] = principal
            return principal

    def _check(self, key_id: str, secret: str, presented: str) -> Principal | None:
        from_env = self._env.get(key_id)
        if from_env is not None:
            principal, expected = from_env
            same = hmac.compare_digest(presented.encode(), expected.encode())
            return principal if same else None
        record = self._records.get(key_id)
        if record is None or record.revoked is not None:
            return None
        actual = hash_secret(secret, bytes.fromhex(record.salt))
        return record.principal() if hmac.compare_digest(actual, record.hash) else None

    def _reload_if_changed(self) -> None:
        if self.path is None:
            return
        try:
            stat = self.path.stat()
            version = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        except FileNotFoundError:
            version = (0, 0, 0)
        if version == self._version:
            return
        self._records = read_keys(self.path)
        self._version = version
        self._cache.clear()
        self._failures.clear()
        log.info("keys.loaded file=%s keys=%d", self.path, len(self._records))
