"""The one hierarchy of errors graphsvc raises on purpose.

Every message is safe to show to the person who caused the error. The CLI prints it on
one line, the API maps it to a response in one place; everything else only raises.
"""

from __future__ import annotations


class GraphsvcError(Exception):
    """Base of every error that graphsvc raises deliberately."""

    retryable = False
    """True when the same call may succeed later (a lost database connection)."""


class InvalidInput(GraphsvcError):
    """A value broke a rule of the input contract; `field` names the value at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidIdentifier(InvalidInput):
    """An identifier could not be read, or its GS1 check digit is wrong."""


class InvalidArgument(GraphsvcError):
    """An API or CLI argument is outside its documented bounds."""

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(f"{argument}: {message}")
        self.argument = argument


class StoreError(GraphsvcError):
    """The store could not do what was asked."""


class StoreUnavailable(StoreError):
    """The store cannot be reached now; retrying later may work."""

    retryable = True


class DataDirLocked(StoreError):
    """Another process holds the data directory."""


class ConfigError(GraphsvcError):
    """The configuration (options, environment) is incomplete or contradictory."""


class NotFound(GraphsvcError):
    """Nothing has the id that was asked for."""


class TooLarge(InvalidInput):
    """A request or a document is larger than its configured bound."""


class Overloaded(GraphsvcError):
    """Too much work is queued to take more now; the same request may work later."""

    retryable = True


class AccessDenied(GraphsvcError):
    """A request lacked a valid key, or its key may not do what was asked.

    Messages are fixed sentences that tell nothing about what exists.
    """

    status = 403


class Unauthenticated(AccessDenied):
    """No API key was sent, or the one sent is not (or no longer) valid."""

    status = 401

    def __init__(self) -> None:
        super().__init__("a valid API key is required")


class Forbidden(AccessDenied):
    """The key is valid but its role does not allow the operation."""

    def __init__(self) -> None:
        super().__init__("this API key may not do that")


class LimitExceeded(GraphsvcError):
    """A request went past one of the service's bounds (size, cost, time, rate)."""
