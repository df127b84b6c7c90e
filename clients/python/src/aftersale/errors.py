"""The one exception every failed call raises, whatever the transport: :class:`RPCError`."""

from __future__ import annotations

import enum
from typing import Optional, Sequence, Tuple

from aftersale.common.v1 import common_pb2
from aftersale.rpc.v1 import rpc_pb2

__all__ = ["StatusCode", "RPCError", "Trailers", "decode_error_details"]

Trailers = Sequence[Tuple[str, bytes]]


class StatusCode(enum.IntEnum):
    """gRPC's status codes, which the native protocol uses too (PROTOCOL.md §16)."""

    OK = 0
    CANCELLED = 1
    UNKNOWN = 2
    INVALID_ARGUMENT = 3
    DEADLINE_EXCEEDED = 4
    NOT_FOUND = 5
    ALREADY_EXISTS = 6
    PERMISSION_DENIED = 7
    RESOURCE_EXHAUSTED = 8
    FAILED_PRECONDITION = 9
    ABORTED = 10
    OUT_OF_RANGE = 11
    UNIMPLEMENTED = 12
    INTERNAL = 13
    UNAVAILABLE = 14
    DATA_LOSS = 15
    UNAUTHENTICATED = 16


def code_name(code: int) -> str:
    try:
        return StatusCode(code).name
    except ValueError:
        return f"CODE_{code}"


def decode_error_details(data: bytes) -> Optional[common_pb2.ErrorDetails]:
    """``aftersale.common.v1.ErrorDetails`` from its bytes; None when empty or undecodable."""
    if not data:
        return None
    details = common_pb2.ErrorDetails()
    try:
        details.ParseFromString(data)
    except Exception:  # undecodable details: the caller keeps the raw bytes only
        return None
    return details


def first_text(entries: Trailers, key: str) -> Optional[str]:
    key = key.lower()
    for k, v in entries:
        if k == key:
            return v.decode("utf-8", "replace")
    return None


class RPCError(Exception):
    """A call that ended with a non-OK status, from the server or decided locally (a deadline, a lost connection).

    ``code`` is a :class:`StatusCode` value, ``message`` the server's message (for developers), ``details`` the
    decoded ``aftersale.common.v1.ErrorDetails`` (None when the status carried none), ``details_bytes`` its raw
    bytes, ``trailers`` the status trailers as ``[(key, bytes)]``. ``unprocessed`` is True when the server certainly
    did not process the call (never sent, or refused by a server going away): such a call is always safe to repeat.
    ``attempts`` is how many times the client tried the call.
    """

    def __init__(self, code: int, message: str = "", details: Optional[common_pb2.ErrorDetails] = None, *,
                 details_bytes: bytes = b"", trailers: Trailers = (), unprocessed: bool = False):
        self.code = int(code)
        self.message = message
        self.details = details
        self.details_bytes = details_bytes
        self.trailers = list(trailers)
        self.unprocessed = unprocessed
        self.attempts = 1
        super().__init__(f"{self.code_name}: {message}" if message else self.code_name)

    @property
    def code_name(self) -> str:
        """``"NOT_FOUND"`` etc.; ``"CODE_<n>"`` for a code outside gRPC's range."""
        return code_name(self.code)

    def trailer(self, key: str) -> Optional[str]:
        """The first text value of a trailer, e.g. ``error.trailer("x-request-id")``."""
        return first_text(self.trailers, key)

    @classmethod
    def from_status(cls, status: rpc_pb2.Status) -> "RPCError":
        """The error a native STATUS frame's meta describes."""
        code, message = status.code, status.message
        if not 0 <= code <= 16:  # PROTOCOL.md §5.4: outside gRPC's range means UNKNOWN
            code, message = StatusCode.UNKNOWN, f"status code {status.code}: {status.message}"
        return cls(code, message, decode_error_details(status.details), details_bytes=bytes(status.details),
                   trailers=[(e.key, bytes(e.value)) for e in status.trailers])
