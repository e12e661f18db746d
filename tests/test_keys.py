"""API keys: hashed storage, revocation without restart, environment keys, the CLI."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from graphsvc.cli import main
from graphsvc.errors import ConfigError, InvalidInput
from graphsvc.security.keys import KeyRing, add_key, read_keys, revoke_key
from graphsvc.security.roles import Principal, Role
from graphsvc.service import check_exposure

ALL_INTERFACES = "0.0.0.0"  # noqa: S104 - the address whose refusal is tested


def test_a_key_is_stored_hashed_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"

    key = add_key(path, "ops", Role.ADMIN)
    ring = KeyRing(path)

    assert key.startswith("ops.")
    assert key.split(".", 1)[1] not in path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert ring.authenticate(key) == Principal("ops", Role.ADMIN, None)
    assert ring.authenticate(key + "x") is None
    assert ring.authenticate("ghost." + key.split(".", 1)[1]) is None


def test_a_revoked_key_is_refused_by_a_running_ring(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    key = add_key(path, "team-a", Role.READER, ["B2", "B1"])
    ring = KeyRing(path)
    before = ring.authenticate(key)

    revoke_key(path, "team-a")

    assert before == Principal("team-a", Role.READER, frozenset({"B1", "B2"}))
    assert ring.authenticate(key) is None
    assert read_keys(path)["team-a"].revoked is not None


def test_a_key_id_is_checked_once_added(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    add_key(path, "ops", Role.ADMIN)

    with pytest.raises(InvalidInput, match="there is already a key 'ops'"):
        add_key(path, "ops", Role.READER)
    with pytest.raises(InvalidInput, match="a key id is 1 to 40 lowercase"):
        add_key(path, "Bad Id", Role.READER)
    with pytest.raises(InvalidInput, match="there is no key 'nobody'"):
        revoke_key(path, "nobody")


def test_a_blank_brand_is_refused_and_no_key_written(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"

    with pytest.raises(InvalidInput) as raised:
        add_key(path, "team-a", Role.READER, ["B1", " "])

    assert (raised.value.message, raised.value.field) == (
        "a brand id must not be blank",
        "brand",
    )
    assert not path.exists()


def test_environment_keys_carry_role_and_brands() -> None:
    ring = KeyRing(None, "ci:reader:s3cret ; brand-b:reader:other:B1,B2")

    assert ring.configured
    assert ring.authenticate("ci.s3cret") == Principal("ci", Role.READER, None)
    assert ring.authenticate("brand-b.other") == Principal(
        "brand-b", Role.READER, frozenset({"B1", "B2"})
    )
    assert ring.authenticate("ci.wrong") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "ci:reader",
            "GRAPHSVC_API_KEYS entries read id:role:secret[:brand,brand], separated "
            "by ';' (entry 1 does not)",
        ),
        (
            "ci:owner:secret",
            "GRAPHSVC_API_KEYS: role must be reader, loader or admin (entry 1)",
        ),
    ],
)
def test_malformed_environment_keys_stop_the_start(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        KeyRing(None, text)

    assert str(raised.value) == message


def test_no_keys_means_no_access_control() -> None:
    assert not KeyRing().configured
    assert KeyRing(Path("absent.json")).configured


def test_the_cli_adds_lists_and_revokes_keys(tmp_path: Path) -> None:
    path = str(tmp_path / "keys.json")
    runner = CliRunner()

    added = runner.invoke(
        main,
        ["keys", "add", "--keys-file", path, "--role", "reader", "--brand", "B1", "lu"],
    )
    works = KeyRing(Path(path)).authenticate(added.stdout.strip())
    revoked = runner.invoke(main, ["keys", "revoke", "--keys-file", path, "lu"])
    listed = runner.invoke(main, ["keys", "list"], env={"GRAPHSVC_KEYS_FILE": path})

    assert added.exit_code == 0
    assert works == Principal("lu", Role.READER, frozenset({"B1"}))
    assert revoked.stdout == "revoked lu\n"
    fields = listed.stdout.strip().split("\t")
    assert fields[:3] == ["lu", "reader", "B1"]
    assert fields[4].startswith("revoked ")


def test_serving_beyond_loopback_without_keys_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["serve", "--data-dir", str(tmp_path), "--host", ALL_INTERFACES]
    )

    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "graphsvc: error: refusing to listen on 0.0.0.0 without API keys: configure "
        "keys (GRAPHSVC_KEYS_FILE or GRAPHSVC_API_KEYS), or pass --allow-open "
        "(GRAPHSVC_ALLOW_OPEN=1) to serve everyone everything"
    )


@pytest.mark.parametrize(
    ("host", "keys", "allow_open"),
    [
        ("127.0.0.1", False, False),
        ("::1", False, False),
        ("localhost", False, False),
        (ALL_INTERFACES, True, False),
        (ALL_INTERFACES, False, True),
    ],
)
def test_serving_is_allowed_on_loopback_with_keys_or_when_told(
    host: str, keys: bool, allow_open: bool
) -> None:
    check_exposure(host, keys_configured=keys, allow_open=allow_open)


def test_a_key_is_hashed_once_whether_accepted_or_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from graphsvc.security import keys

    path = tmp_path / "keys.json"
    key = add_key(path, "ops", Role.ADMIN)
    ring = KeyRing(path)
    hashes: list[str] = []
    real = keys.hash_secret

    def counted(secret: str, salt: bytes) -> str:
        hashes.append(secret)
        return real(secret, salt)

    monkeypatch.setattr(keys, "hash_secret", counted)
    for _ in range(3):
        ring.authenticate(key)
        ring.authenticate("ops.wrong")

    assert hashes == [key.split(".", 1)[1], "wrong"]
