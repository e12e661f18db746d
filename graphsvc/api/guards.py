"""HTTP-level bounds: body sizes, the per-key request rate and CORS origins."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from limits import parse

from graphsvc.errors import ConfigError

MIB: Final = 1 << 20


@dataclass(frozen=True)
class HttpGuards:
    """Settings of the middleware that `create_app` installs.

    `rate` is a `limits` rate such as `600/minute`, per key (per client address
    when no keys are configured); None turns rate limiting off. `failed_keys` is
    the bound on wrong keys per client address, None for none.
    """

    rate: str | None = "600/minute"
    failed_keys: str | None = "30/minute"
    max_graphql_bytes: int = 1 * MIB
    max_upload_bytes: int = 64 * MIB
    cors_origins: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name, rate in (
            ("rate limit", self.rate),
            ("wrong-key limit", self.failed_keys),
        ):
            if rate is None:
                continue
            try:
                parse(rate)
            except ValueError:
                raise ConfigError(
                    f"the {name} must read like 600/minute, not {rate!r}"
                ) from None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> HttpGuards:
        """From GRAPHSVC_RATE_LIMIT and GRAPHSVC_FAILED_KEY_LIMIT (`off` for none),
        GRAPHSVC_MAX_GRAPHQL_BYTES, GRAPHSVC_MAX_UPLOAD_BYTES and
        GRAPHSVC_CORS_ORIGINS (comma-separated)."""
        env = os.environ if environ is None else environ
        rate = env.get("GRAPHSVC_RATE_LIMIT", cls.rate)
        failed_keys = env.get("GRAPHSVC_FAILED_KEY_LIMIT", cls.failed_keys)
        origins = env.get("GRAPHSVC_CORS_ORIGINS", "")
        return cls(
            rate=None if rate == "off" else rate,
            failed_keys=None if failed_keys == "off" else failed_keys,
            max_graphql_bytes=_bytes(
                env, "GRAPHSVC_MAX_GRAPHQL_BYTES", cls.max_graphql_bytes
            ),
            max_upload_bytes=_bytes(
                env, "GRAPHSVC_MAX_UPLOAD_BYTES", cls.max_upload_bytes
            ),
            cors_origins=tuple(o.strip() for o in origins.split(",") if o.strip()),
        )

    def body_limits(self) -> dict[str, int]:
        """The largest body accepted under each path prefix."""
        return {
            "/graphql": self.max_graphql_bytes,
            "/feeds": self.max_upload_bytes,
        }


def _bytes(env: Mapping[str, str], name: str, default: int) -> int:
    text = env.get(name)
    if text is None:
        return default
    if not text.isdigit() or int(text) < 1:
        raise ConfigError(f"{name} must be a whole number of bytes, not {text!r}")
    return int(text)
