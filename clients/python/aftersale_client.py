#!/usr/bin/env python3
"""A small synchronous client for the AfterSale RPC protocol (docs/PROTOCOL.md), written from that document alone.

Only the standard library and Google's ``protobuf`` package are needed. The generated message modules live in
``clients/python/aftersale_pb``; this module puts that directory on ``sys.path`` itself when it sits next to it.

    from aftersale_client import Client, RPCError
    from aftersale.health.v1 import health_pb2

    with Client("unix:///run/aftersale/gateway.sock", timeout=5) as client:
        reply = client.call("/aftersale.health.v1.Health/Check",
                            health_pb2.HealthCheckRequest(), health_pb2.HealthCheckResponse)

Calls: ``call``/``call_detailed`` (unary), ``stream`` (server-streaming, a generator), ``client_stream``
(client-streaming). Bidirectional calls are not offered by this synchronous client.

A ``Client`` owns one connection at a time (opened lazily, replaced after GOAWAY or a broken connection) and is
meant for one thread; several calls may be in progress on it from that thread (e.g. a unary call inside the loop
over a server stream): frames are demultiplexed by stream id.

Command line:

    python3 aftersale_client.py health ADDR [SERVICE]   # prints SERVING etc.; exit 0 only when SERVING
    python3 aftersale_client.py watch ADDR [SERVICE]    # prints every status change (Health/Watch)
    python3 aftersale_client.py list ADDR               # services and methods, via reflection
"""

from __future__ import annotations

import collections
import enum
import os
import random
import socket
import struct
import sys
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Mapping, Optional, Sequence, Tuple, Type, Union

if __name__ == "__main__":  # a command-line run leaves no bytecode caches in the generated tree
    sys.dont_write_bytecode = True

try:
    from aftersale.rpc.v1 import rpc_pb2
except ImportError:  # not on the path yet: use the generated tree next to this file
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "aftersale_pb"))
    from aftersale.rpc.v1 import rpc_pb2
from aftersale.common.v1 import common_pb2

__all__ = [
    "Client", "RPCError", "StatusCode", "Reply", "Frame", "FrameType", "FrameReader", "ProtocolError",
    "encode_frame", "parse_address", "PREFACE",
]

# ----------------------------------------------------------------------------------------------------------------
# Wire constants (PROTOCOL.md §3–§5, §8)

PREFACE = b"ASRP\x01\x00\x00\x00"
HEADER = struct.Struct(">IBBHI")  # length, type, flags, meta_len, stream_id
HEADER_SIZE = HEADER.size  # 12

FLAG_END_STREAM = 0x01
FLAG_COMPRESSED = 0x02
FLAG_ACK = 0x04

DEFAULT_MAX_FRAME_SIZE = 4 * 1024 * 1024
DEFAULT_MAX_META_SIZE = 16 * 1024
DEFAULT_MAX_CONCURRENT_STREAMS = 1024
HARD_FRAME_SIZE_CAP = 64 * 1024 * 1024
MAX_STREAM_ID = 0xFFFFFFFF


class FrameType(enum.IntEnum):
    CALL = 0x01
    MESSAGE = 0x02
    HEADERS = 0x03
    STATUS = 0x04
    CANCEL = 0x05
    SETTINGS = 0x10
    PING = 0x11
    GOAWAY = 0x12


class GoAwayCode(enum.IntEnum):
    NO_ERROR = 0
    PROTOCOL_ERROR = 1
    FRAME_SIZE_ERROR = 2
    KEEPALIVE_TIMEOUT = 3
    INTERNAL_ERROR = 4


class StatusCode(enum.IntEnum):
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


def _code_name(code: int) -> str:
    try:
        return StatusCode(code).name
    except ValueError:
        return f"CODE_{code}"


# ----------------------------------------------------------------------------------------------------------------
# Errors

class RPCError(Exception):
    """A call that ended with a non-OK status (from the server, or decided locally, e.g. a deadline).

    ``details`` is the decoded ``aftersale.common.v1.ErrorDetails`` (None when the status carried none),
    ``details_bytes`` the raw bytes, ``trailers`` the status trailers as ``[(key, bytes)]``. ``unprocessed`` is
    True when the server certainly did not process the call (never sent, or above a GOAWAY's last_stream_id):
    such a call is always safe to repeat.
    """

    def __init__(self, code: int, message: str = "", details: Optional[common_pb2.ErrorDetails] = None, *,
                 details_bytes: bytes = b"", trailers: Sequence[Tuple[str, bytes]] = (), unprocessed: bool = False):
        self.code = int(code)
        self.message = message
        self.details = details
        self.details_bytes = details_bytes
        self.trailers = list(trailers)
        self.unprocessed = unprocessed
        super().__init__(f"{self.code_name}: {message}" if message else self.code_name)

    @property
    def code_name(self) -> str:
        return _code_name(self.code)

    def trailer(self, key: str) -> Optional[str]:
        """The first text value of a trailer, e.g. ``error.trailer("x-request-id")``."""
        return _first_text(self.trailers, key)

    @classmethod
    def from_status(cls, status: "rpc_pb2.Status") -> "RPCError":
        details = None
        if status.details:
            details = common_pb2.ErrorDetails()
            try:
                details.ParseFromString(status.details)
            except Exception:  # undecodable details: keep the raw bytes only
                details = None
        code, message = status.code, status.message
        if not 0 <= code <= 16:  # PROTOCOL.md §5.4: outside gRPC's range means UNKNOWN
            code, message = StatusCode.UNKNOWN, f"status code {status.code}: {status.message}"
        return cls(code, message, details, details_bytes=bytes(status.details),
                   trailers=[(e.key, bytes(e.value)) for e in status.trailers])


class ProtocolError(Exception):
    """The byte stream cannot be read any further: the connection must send GOAWAY(code) and close."""

    def __init__(self, code: int, message: str):
        self.code = code
        self.message = message
        super().__init__(message)


class ConnectionClosed(Exception):
    """The peer closed the connection (EOF)."""


class _DeadlineExceeded(Exception):
    pass


def _first_text(entries: Sequence[Tuple[str, bytes]], key: str) -> Optional[str]:
    key = key.lower()
    for k, v in entries:
        if k == key:
            return v.decode("utf-8", "replace")
    return None


# ----------------------------------------------------------------------------------------------------------------
# Frames

@dataclass
class Frame:
    type: int
    flags: int
    stream_id: int
    meta: bytes = b""
    payload: bytes = b""

    @property
    def end_stream(self) -> bool:
        return bool(self.flags & FLAG_END_STREAM)


@dataclass
class Oversized:
    """A frame longer than the receiver's max_frame_size (or with meta longer than max_meta_size); its body was
    read and discarded."""
    type: int
    stream_id: int
    length: int


def encode_frame(frame_type: int, flags: int, stream_id: int, meta: bytes = b"", payload: bytes = b"") -> bytes:
    if len(meta) > 0xFFFF:
        raise ValueError(f"meta of {len(meta)} bytes does not fit a frame (65,535 at most)")
    return HEADER.pack(8 + len(meta) + len(payload), frame_type, flags, len(meta), stream_id) + meta + payload


def encode(frame: Frame) -> bytes:
    return encode_frame(frame.type, frame.flags, frame.stream_id, frame.meta, frame.payload)


class FrameReader:
    """Splits a byte stream into frames. ``recv`` is ``socket.recv``-like (returns b"" at EOF). Partial input is
    kept across calls, so a ``socket.timeout`` raised by ``recv`` in the middle of a frame loses nothing."""

    def __init__(self, recv: Callable[[int], bytes], max_frame_size: int = DEFAULT_MAX_FRAME_SIZE,
                 max_meta_size: int = DEFAULT_MAX_META_SIZE):
        self._recv = recv
        self._buffer = bytearray()
        self._skip: Optional[Oversized] = None
        self._skip_remaining = 0
        self.max_frame_size = max_frame_size
        self.max_meta_size = max_meta_size

    def _fill(self, count: int) -> None:
        while len(self._buffer) < count:
            chunk = self._recv(max(count - len(self._buffer), 65536))
            if not chunk:
                raise ConnectionClosed("the connection was closed by the peer")
            self._buffer += chunk

    def read_frame(self) -> Union[Frame, Oversized]:
        if self._skip is not None:
            return self._finish_skip()
        self._fill(4)
        (length,) = struct.unpack_from(">I", self._buffer)
        if length < 8:
            raise ProtocolError(GoAwayCode.PROTOCOL_ERROR, f"malformed frame header: length {length} < 8")
        if length > HARD_FRAME_SIZE_CAP:
            raise ProtocolError(GoAwayCode.FRAME_SIZE_ERROR,
                                f"frame length {length} exceeds the hard limit {HARD_FRAME_SIZE_CAP}")
        self._fill(HEADER_SIZE)
        _, frame_type, flags, meta_len, stream_id = HEADER.unpack_from(self._buffer)
        if meta_len > length - 8:
            raise ProtocolError(GoAwayCode.PROTOCOL_ERROR,
                                f"malformed frame header: meta_len {meta_len} exceeds the frame's {length - 8} bytes")
        if length > self.max_frame_size or meta_len > self.max_meta_size:
            del self._buffer[:HEADER_SIZE]
            self._skip = Oversized(frame_type, stream_id, length)
            self._skip_remaining = length - 8
            return self._finish_skip()
        self._fill(4 + length)
        meta = bytes(self._buffer[HEADER_SIZE:HEADER_SIZE + meta_len])
        payload = bytes(self._buffer[HEADER_SIZE + meta_len:4 + length])
        del self._buffer[:4 + length]
        return Frame(frame_type, flags, stream_id, meta, payload)

    def _finish_skip(self) -> Oversized:
        while self._skip_remaining > 0:
            if not self._buffer:
                chunk = self._recv(min(self._skip_remaining, 65536))
                if not chunk:
                    raise ConnectionClosed("the connection was closed by the peer")
                self._buffer += chunk
            taken = min(self._skip_remaining, len(self._buffer))
            del self._buffer[:taken]
            self._skip_remaining -= taken
        skipped, self._skip = self._skip, None
        return skipped


# ----------------------------------------------------------------------------------------------------------------
# Addresses

def parse_address(address: str) -> Tuple[int, object]:
    """``unix:///abs/path.sock`` → (AF_UNIX, path); ``tcp://host:port`` → (AF_INET/AF_INET6/AF_UNSPEC, (host, port)).
    IPv6 literals go in brackets: ``tcp://[::1]:7000``."""
    if address.startswith("unix://"):
        path = address[len("unix://"):]
        if not path.startswith("/"):
            raise ValueError(f"{address!r}: a unix address needs an absolute path, e.g. unix:///run/aftersale/order.sock")
        return socket.AF_UNIX, path
    if address.startswith("tcp://"):
        rest = address[len("tcp://"):]
        host, sep, port_text = rest.rpartition(":")
        if not sep or not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
            raise ValueError(f"{address!r}: a tcp address needs host and port, e.g. tcp://127.0.0.1:7000")
        family = socket.AF_UNSPEC
        if host.startswith("[") and host.endswith("]"):
            host, family = host[1:-1], socket.AF_INET6
        elif ":" in host:
            raise ValueError(f"{address!r}: put an IPv6 address in brackets, e.g. tcp://[::1]:7000")
        if not host:
            raise ValueError(f"{address!r}: the host is empty")
        return family, (host, int(port_text))
    raise ValueError(f"{address!r} is not an address: use unix:///path.sock or tcp://host:port")


def _open_socket(address: str, timeout: Optional[float]) -> socket.socket:
    family, target = parse_address(address)
    if family == socket.AF_UNIX:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(target)
        except BaseException:
            sock.close()
            raise
        return sock
    sock = socket.create_connection(target, timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


# ----------------------------------------------------------------------------------------------------------------
# Metadata

MetadataLike = Union[None, Mapping[str, Union[str, bytes]], Iterable[Tuple[str, Union[str, bytes]]]]


def _metadata_entries(metadata: MetadataLike) -> list:
    if metadata is None:
        return []
    items = metadata.items() if isinstance(metadata, Mapping) else metadata
    entries = []
    for key, value in items:
        key = key.lower()
        if not key or not key.isascii():
            raise ValueError(f"metadata key {key!r} must be non-empty lower-case ASCII")
        if isinstance(value, str):
            if key.endswith("-bin"):
                raise ValueError(f"metadata key {key!r} ends in -bin: its value must be bytes")
            value = value.encode("utf-8")
        entries.append(rpc_pb2.MetadataEntry(key=key, value=bytes(value)))
    return entries


# ----------------------------------------------------------------------------------------------------------------
# One connection

class _Stream:
    def __init__(self, stream_id: int):
        self.id = stream_id
        self.events: collections.deque = collections.deque()  # Frame or RPCError
        self.headers: list = []
        self.done = False


class _Connection:
    def __init__(self, sock: socket.socket, *, keepalive_interval: Optional[float], keepalive_timeout: float,
                 max_frame_size: Optional[int]):
        self.sock = sock
        self.reader = FrameReader(sock.recv, max_frame_size or DEFAULT_MAX_FRAME_SIZE)
        self.keepalive_interval = keepalive_interval
        self.keepalive_timeout = keepalive_timeout
        self.announced_max_frame_size = max_frame_size
        self.peer_settings = rpc_pb2.Settings()  # zero fields = defaults
        self.settings_received = False
        self.goaway: Optional[rpc_pb2.GoAway] = None
        self.closed = False
        self.close_reason = ""
        self.streams: dict = {}
        self.last_stream_id = 0
        self.last_received = time.monotonic()
        self.ping_payload: Optional[bytes] = None
        self.ping_sent_at = 0.0

    # limits announced by the server (0 = default)
    @property
    def max_frame_size(self) -> int:
        return self.peer_settings.max_frame_size or DEFAULT_MAX_FRAME_SIZE

    @property
    def max_meta_size(self) -> int:
        return min(self.peer_settings.max_meta_size or DEFAULT_MAX_META_SIZE, 0xFFFF)

    @property
    def max_concurrent_streams(self) -> int:
        return self.peer_settings.max_concurrent_streams or DEFAULT_MAX_CONCURRENT_STREAMS

    @property
    def usable(self) -> bool:
        return not self.closed and self.goaway is None and self.last_stream_id < MAX_STREAM_ID

    # --- handshake

    def handshake(self, timeout: Optional[float]) -> None:
        deadline = None if timeout is None else time.monotonic() + timeout
        self.send(PREFACE)
        if self.announced_max_frame_size:
            settings = rpc_pb2.Settings(max_frame_size=self.announced_max_frame_size)
            self.send(encode_frame(FrameType.SETTINGS, 0, 0, settings.SerializeToString()))
        while not self.settings_received:
            try:
                self.pump(deadline)
            except _DeadlineExceeded:
                self.close("no SETTINGS from the server")
                raise RPCError(StatusCode.UNAVAILABLE, "no SETTINGS from the server within the connect timeout",
                               unprocessed=True) from None
            if self.goaway is not None:
                self.close("GOAWAY during the handshake")
                raise RPCError(StatusCode.UNAVAILABLE,
                               f"the server refused the connection: GOAWAY {_goaway_name(self.goaway.code)}: "
                               f"{self.goaway.message}", unprocessed=True)
            if self.closed:
                raise RPCError(StatusCode.UNAVAILABLE, f"connection failed: {self.close_reason}", unprocessed=True)

    # --- writing

    def send(self, data: bytes) -> None:
        try:
            self.sock.settimeout(None)
            self.sock.sendall(data)
        except OSError as error:
            self.close(f"write failed: {error}")
            raise

    def send_frame(self, frame_type: int, flags: int, stream_id: int, meta: bytes = b"", payload: bytes = b"") -> None:
        self.send(encode_frame(frame_type, flags, stream_id, meta, payload))

    def start(self, method: str, payload: bytes, metadata: list, timeout: Optional[float], traceparent: str,
              end_stream: bool = True) -> _Stream:
        if not self.usable:
            raise RPCError(StatusCode.UNAVAILABLE, "the connection no longer takes calls", unprocessed=True)
        header = rpc_pb2.CallHeader(method=method, metadata=metadata, traceparent=traceparent or "")
        if timeout is not None:
            header.timeout_micros = max(1, int(timeout * 1_000_000))
        meta = header.SerializeToString()
        if len(meta) > self.max_meta_size:
            raise RPCError(StatusCode.RESOURCE_EXHAUSTED,
                           f"call header of {len(meta)} bytes exceeds max_meta_size {self.max_meta_size}",
                           unprocessed=True)
        length = 8 + len(meta) + len(payload)
        if length > self.max_frame_size:
            raise RPCError(StatusCode.RESOURCE_EXHAUSTED,
                           f"request frame of {length} bytes exceeds max_frame_size {self.max_frame_size}",
                           unprocessed=True)
        if len(self.streams) >= self.max_concurrent_streams:
            raise RPCError(StatusCode.RESOURCE_EXHAUSTED,
                           f"more than {self.max_concurrent_streams} concurrent calls on one connection",
                           unprocessed=True)
        self.last_stream_id += 1
        stream = _Stream(self.last_stream_id)
        self.streams[stream.id] = stream
        try:
            self.send_frame(FrameType.CALL, FLAG_END_STREAM if end_stream else 0, stream.id, meta, payload)
        except OSError as error:
            self.streams.pop(stream.id, None)
            raise RPCError(StatusCode.UNAVAILABLE, f"cannot send the call: {error}") from None
        return stream

    def cancel(self, stream: _Stream) -> None:
        """Sends CANCEL unless the call is over; anything arriving later on the stream is ignored."""
        if stream.done:
            return
        stream.done = True
        self.streams.pop(stream.id, None)
        if not self.closed:
            try:
                self.send_frame(FrameType.CANCEL, 0, stream.id)
            except OSError:
                pass
        self._close_if_drained()

    def finish(self, stream: _Stream) -> None:
        stream.done = True
        self.streams.pop(stream.id, None)
        self._close_if_drained()

    def close(self, reason: str = "closed by the client") -> None:
        if self.closed:
            return
        self.closed = True
        self.close_reason = reason
        try:
            self.sock.close()
        except OSError:
            pass
        for stream in list(self.streams.values()):
            stream.events.append(RPCError(StatusCode.UNAVAILABLE, f"connection lost: {reason}"))
        self.streams.clear()

    def _close_if_drained(self) -> None:
        if self.goaway is not None and not self.streams:
            self.close("drained after GOAWAY")

    def protocol_error(self, code: int, message: str) -> None:
        """Tells the server why (GOAWAY) and closes; every open call fails with INTERNAL."""
        try:
            goaway = rpc_pb2.GoAway(last_stream_id=0, code=code, message=message)
            self.send_frame(FrameType.GOAWAY, 0, 0, goaway.SerializeToString())
        except OSError:
            pass
        for stream in list(self.streams.values()):
            stream.events.append(RPCError(StatusCode.INTERNAL, f"protocol error: {message}"))
        self.streams.clear()
        self.close(f"protocol error: {message}")

    # --- reading

    def wait(self, stream: _Stream, deadline: Optional[float]):
        """The next event of ``stream``: a Frame (HEADERS, MESSAGE or STATUS) or an RPCError."""
        while not stream.events:
            if self.closed:
                return RPCError(StatusCode.UNAVAILABLE, f"connection lost: {self.close_reason}")
            self.pump(deadline)
        return stream.events.popleft()

    def pump(self, deadline: Optional[float]) -> None:
        """Reads and dispatches one frame, pinging when idle; raises _DeadlineExceeded at ``deadline``."""
        while True:
            now = time.monotonic()
            wait = None if deadline is None else deadline - now
            if wait is not None and wait <= 0:
                raise _DeadlineExceeded()
            if self.keepalive_interval is not None:
                if self.ping_payload is not None:
                    keepalive_wait = self.ping_sent_at + self.keepalive_timeout - now
                    if keepalive_wait <= 0:
                        self._keepalive_failed()
                        return
                else:
                    keepalive_wait = self.last_received + self.keepalive_interval - now
                    if keepalive_wait <= 0:
                        self._send_ping()
                        continue
                wait = keepalive_wait if wait is None else min(wait, keepalive_wait)
            try:
                self.sock.settimeout(wait)
                item = self.reader.read_frame()
            except (socket.timeout, BlockingIOError):
                continue
            except ProtocolError as error:
                self.protocol_error(error.code, error.message)
                return
            except ConnectionClosed:
                self.close("the server closed the connection")
                return
            except OSError as error:
                self.close(f"read failed: {error}")
                return
            self.last_received = time.monotonic()
            self.dispatch(item)
            return

    def _send_ping(self) -> None:
        self.ping_payload = os.urandom(8)
        self.ping_sent_at = time.monotonic()
        try:
            self.send_frame(FrameType.PING, 0, 0, b"", self.ping_payload)
        except OSError:
            pass

    def _keepalive_failed(self) -> None:
        message = f"keepalive: no PING acknowledgement within {self.keepalive_timeout:g}s"
        try:
            goaway = rpc_pb2.GoAway(last_stream_id=0, code=GoAwayCode.KEEPALIVE_TIMEOUT, message=message)
            self.send_frame(FrameType.GOAWAY, 0, 0, goaway.SerializeToString())
        except OSError:
            pass
        self.close(message)

    def dispatch(self, item: Union[Frame, Oversized]) -> None:
        if isinstance(item, Oversized):
            reason = (f"frame of {item.length} bytes exceeds max_frame_size {self.reader.max_frame_size} "
                      f"(or its meta exceeds max_meta_size {self.reader.max_meta_size})")
            if item.stream_id == 0:
                self.protocol_error(GoAwayCode.FRAME_SIZE_ERROR, reason)
            elif item.type in (FrameType.HEADERS, FrameType.MESSAGE, FrameType.STATUS):
                self._fail_stream(item.stream_id, RPCError(StatusCode.RESOURCE_EXHAUSTED, reason))
            return

        frame = item
        kind = frame.type
        if kind == FrameType.PING:
            if frame.flags & FLAG_ACK:
                if frame.payload == self.ping_payload:
                    self.ping_payload = None
            elif len(frame.payload) != 8:
                self.protocol_error(GoAwayCode.PROTOCOL_ERROR, f"PING with {len(frame.payload)} payload bytes, not 8")
            else:
                try:
                    self.send_frame(FrameType.PING, FLAG_ACK, 0, b"", frame.payload)
                except OSError:
                    pass
        elif kind == FrameType.SETTINGS:
            settings = rpc_pb2.Settings()
            try:
                settings.ParseFromString(frame.meta)
            except Exception:
                self.protocol_error(GoAwayCode.PROTOCOL_ERROR, "malformed SETTINGS")
                return
            self.peer_settings = settings
            self.settings_received = True
        elif kind == FrameType.GOAWAY:
            goaway = rpc_pb2.GoAway()
            try:
                goaway.ParseFromString(frame.meta)
            except Exception:
                goaway = rpc_pb2.GoAway(last_stream_id=0, code=GoAwayCode.PROTOCOL_ERROR, message="malformed GOAWAY")
            self.goaway = goaway
            for stream_id in [s for s in self.streams if s > goaway.last_stream_id]:
                self._fail_stream(stream_id, RPCError(
                    StatusCode.UNAVAILABLE,
                    f"the server is going away ({_goaway_name(goaway.code)}: {goaway.message}); "
                    "the call was not processed", unprocessed=True))
            self._close_if_drained()
        elif kind in (FrameType.HEADERS, FrameType.MESSAGE, FrameType.STATUS):
            stream = self.streams.get(frame.stream_id)
            if stream is None:
                return  # a call already over or cancelled: ignore
            if frame.flags & FLAG_COMPRESSED:
                self._fail_stream(frame.stream_id, RPCError(StatusCode.INTERNAL, "compression not supported"))
                return
            stream.events.append(frame)
        # CALL and CANCEL never come from a server; unknown types are skipped: nothing to do.

    def _fail_stream(self, stream_id: int, error: RPCError) -> None:
        stream = self.streams.get(stream_id)
        if stream is None:
            return
        stream.events.append(error)
        if error.unprocessed:
            self.streams.pop(stream_id, None)
            stream.done = True
        else:
            self.cancel(stream)


def _goaway_name(code: int) -> str:
    try:
        return GoAwayCode(code).name
    except ValueError:
        return f"CODE_{code}"


# ----------------------------------------------------------------------------------------------------------------
# The client

@dataclass
class Reply:
    """A successful unary call: the response, the initial metadata (HEADERS) and the status trailers."""
    message: object
    headers: list = field(default_factory=list)
    trailers: list = field(default_factory=list)

    def trailer(self, key: str) -> Optional[str]:
        return _first_text(self.trailers, key)


_DEFAULT = object()


class Client:
    """A synchronous AfterSale RPC client for one address.

    ``timeout`` (seconds) bounds connecting plus the handshake, and is the default deadline of unary calls
    (None: no deadline). Server-streaming calls have no deadline unless given one. ``max_attempts`` counts the
    first attempt; retries happen only where PROTOCOL.md §14 allows them. ``keepalive_interval`` (None: off) is
    how long the connection may be idle while waiting for a call before the client PINGs; an answer must come
    within ``keepalive_timeout``. ``max_frame_size``, when given, is sent in a SETTINGS frame and enforced on
    frames from the server. With ``connect=True`` (the default) the constructor connects at once (raising
    RPCError UNAVAILABLE when it cannot); otherwise the first call connects.
    """

    def __init__(self, address: Optional[str], timeout: Optional[float] = 10.0, *, max_attempts: int = 3,
                 keepalive_interval: Optional[float] = 30.0, keepalive_timeout: float = 10.0,
                 max_frame_size: Optional[int] = None, connect: bool = True):
        if address is not None:
            parse_address(address)  # fail early on a malformed address
        self.address = address
        self.timeout = timeout
        self.max_attempts = max(1, max_attempts)
        self.keepalive_interval = keepalive_interval
        self.keepalive_timeout = keepalive_timeout
        self.max_frame_size = max_frame_size
        self._connection: Optional[_Connection] = None
        self._closed = False
        if connect:
            self._connect()

    @classmethod
    def from_socket(cls, sock: socket.socket, timeout: Optional[float] = 10.0, **options) -> "Client":
        """A client over an already connected socket (tests, inherited descriptors). It cannot reconnect."""
        options.pop("connect", None)
        client = cls(None, timeout, connect=False, **options)
        client._connection = client._handshake(sock)
        return client

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Closes the connection; calls in progress fail with UNAVAILABLE."""
        self._closed = True
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    # --- connections

    def _handshake(self, sock: socket.socket) -> _Connection:
        connection = _Connection(sock, keepalive_interval=self.keepalive_interval,
                                 keepalive_timeout=self.keepalive_timeout, max_frame_size=self.max_frame_size)
        try:
            connection.handshake(self.timeout)
        except OSError as error:
            connection.close(str(error))
            raise RPCError(StatusCode.UNAVAILABLE, f"handshake failed: {error}", unprocessed=True) from None
        except BaseException:
            connection.close("handshake failed")
            raise
        return connection

    def _connect(self) -> _Connection:
        if self._closed:
            raise RPCError(StatusCode.UNAVAILABLE, "the client is closed", unprocessed=True)
        if self._connection is not None and self._connection.usable:
            return self._connection
        if self.address is None:
            raise RPCError(StatusCode.UNAVAILABLE, "the connection is gone and this client cannot reconnect",
                           unprocessed=True)
        try:
            sock = _open_socket(self.address, self.timeout)
        except OSError as error:
            raise RPCError(StatusCode.UNAVAILABLE, f"cannot connect to {self.address}: {error}",
                           unprocessed=True) from None
        self._connection = self._handshake(sock)
        return self._connection

    # --- calls

    def call(self, method_path: str, request_message, response_class: Type, metadata: MetadataLike = None,
             timeout=_DEFAULT, traceparent: Optional[str] = None):
        """A unary call: the response message, or raises RPCError."""
        return self.call_detailed(method_path, request_message, response_class, metadata, timeout,
                                  traceparent).message

    def call_detailed(self, method_path: str, request_message, response_class: Type,
                      metadata: MetadataLike = None, timeout=_DEFAULT, traceparent: Optional[str] = None) -> Reply:
        """Like ``call``, with the HEADERS metadata and the status trailers (e.g. ``x-request-id``)."""
        timeout = self.timeout if timeout is _DEFAULT else timeout
        deadline = None if timeout is None else time.monotonic() + timeout
        entries = _metadata_entries(metadata)
        payload = request_message.SerializeToString()
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._unary_once(method_path, payload, response_class, entries, deadline, traceparent)
            except RPCError as error:
                if attempt >= self.max_attempts or not _may_retry(error, method_path, request_message, entries):
                    raise
                self._backoff(attempt, error, deadline)

    def _unary_once(self, method_path, payload, response_class, entries, deadline, traceparent) -> Reply:
        connection = self._connect()
        stream = connection.start(method_path, payload, entries, _remaining(deadline), traceparent)
        try:
            return self._single_response(connection, stream, response_class, deadline)
        finally:
            connection.cancel(stream)  # no-op when the call ended normally

    @staticmethod
    def _single_response(connection: _Connection, stream: _Stream, response_class: Type,
                         deadline: Optional[float]) -> Reply:
        """Waits for the STATUS of a unary or client-streaming call."""
        while True:
            try:
                event = connection.wait(stream, deadline)
            except _DeadlineExceeded:
                raise RPCError(StatusCode.DEADLINE_EXCEEDED, "deadline exceeded") from None
            if isinstance(event, RPCError):
                raise event
            if event.type == FrameType.HEADERS:
                stream.headers = _parse_headers(event)
            elif event.type == FrameType.MESSAGE:
                raise RPCError(StatusCode.INTERNAL, "a MESSAGE frame on a call with a single response")
            elif event.type == FrameType.STATUS:
                connection.finish(stream)
                status = _parse_status(event)
                if status.code != StatusCode.OK:
                    raise RPCError.from_status(status)
                try:
                    message = response_class.FromString(event.payload)
                except Exception as error:
                    raise RPCError(StatusCode.INTERNAL,
                                   f"the response is not a valid {response_class.DESCRIPTOR.full_name}: {error}")
                return Reply(message, stream.headers, [(e.key, bytes(e.value)) for e in status.trailers])

    def client_stream(self, method_path: str, requests: Iterable, response_class: Type,
                      metadata: MetadataLike = None, timeout=_DEFAULT, traceparent: Optional[str] = None) -> Reply:
        """A client-streaming call: sends every message of ``requests`` (CALL without a message, one MESSAGE
        each, then the half-close) and returns the ``Reply``. Not retried once the first request was taken from
        ``requests``; only a failure to connect is."""
        timeout = self.timeout if timeout is _DEFAULT else timeout
        deadline = None if timeout is None else time.monotonic() + timeout
        entries = _metadata_entries(metadata)
        attempt = 0
        while True:
            attempt += 1
            try:
                connection = self._connect()
                break
            except RPCError as error:
                if attempt >= self.max_attempts or not _may_retry(error, method_path, None, entries):
                    raise
                self._backoff(attempt, error, deadline)
        stream = connection.start(method_path, b"", entries, _remaining(deadline), traceparent, end_stream=False)
        try:
            for request in requests:
                if stream.events or stream.done:
                    break  # the server already ended the call: its STATUS says why
                payload = request.SerializeToString()
                if 8 + len(payload) > connection.max_frame_size:
                    raise RPCError(StatusCode.RESOURCE_EXHAUSTED, f"request of {len(payload)} bytes exceeds "
                                                                  f"max_frame_size {connection.max_frame_size}")
                if deadline is not None and time.monotonic() >= deadline:
                    raise RPCError(StatusCode.DEADLINE_EXCEEDED, "deadline exceeded")
                self._send_request(connection, stream, payload, 0)
            if not stream.done:
                self._send_request(connection, stream, b"", FLAG_END_STREAM)  # half-close
            return self._single_response(connection, stream, response_class, deadline)
        finally:
            connection.cancel(stream)

    @staticmethod
    def _send_request(connection: _Connection, stream: _Stream, payload: bytes, flags: int) -> None:
        try:
            connection.send_frame(FrameType.MESSAGE, flags, stream.id, b"", payload)
        except OSError as error:
            raise RPCError(StatusCode.UNAVAILABLE, f"connection lost: {error}") from None

    def stream(self, method_path: str, request, response_class: Type, metadata: MetadataLike = None,
               timeout: Optional[float] = None, traceparent: Optional[str] = None) -> Iterator:
        """A server-streaming call: yields each response message; returns when the server ends the stream with
        OK; raises RPCError otherwise. Closing the generator early (``break``) cancels the call."""
        deadline = None if timeout is None else time.monotonic() + timeout
        entries = _metadata_entries(metadata)
        payload = request.SerializeToString()
        attempt = 0
        while True:
            attempt += 1
            delivered = False
            inner = self._stream_once(method_path, payload, response_class, entries, deadline, traceparent)
            try:
                for message in inner:
                    delivered = True
                    yield message
                return
            except RPCError as error:
                # Once a message was delivered, a repeat would deliver it twice: never retry then.
                if delivered or attempt >= self.max_attempts or not _may_retry(error, method_path, request, entries):
                    raise
                self._backoff(attempt, error, deadline)
            finally:
                inner.close()  # an early close of this generator cancels the call now, not at garbage collection

    def _stream_once(self, method_path, payload, response_class, entries, deadline, traceparent) -> Iterator:
        connection = self._connect()
        stream = connection.start(method_path, payload, entries, _remaining(deadline), traceparent)
        try:
            while True:
                try:
                    event = connection.wait(stream, deadline)
                except _DeadlineExceeded:
                    raise RPCError(StatusCode.DEADLINE_EXCEEDED, "deadline exceeded") from None
                if isinstance(event, RPCError):
                    raise event
                if event.type == FrameType.HEADERS:
                    stream.headers = _parse_headers(event)
                elif event.type == FrameType.MESSAGE:
                    try:
                        message = response_class.FromString(event.payload)
                    except Exception as error:
                        raise RPCError(StatusCode.INTERNAL, f"a streamed response is not a valid "
                                                            f"{response_class.DESCRIPTOR.full_name}: {error}")
                    yield message
                elif event.type == FrameType.STATUS:
                    connection.finish(stream)
                    status = _parse_status(event)
                    if status.code != StatusCode.OK:
                        raise RPCError.from_status(status)
                    return
        finally:
            connection.cancel(stream)  # early close, error or deadline: tell the server; no-op after STATUS

    def ping(self, timeout: Optional[float] = None) -> float:
        """Round-trip time of a PING, in seconds."""
        timeout = self.timeout if timeout is None else timeout
        connection = self._connect()
        deadline = None if timeout is None else time.monotonic() + timeout
        payload = os.urandom(8)
        connection.ping_payload, connection.ping_sent_at = payload, time.monotonic()
        connection.send_frame(FrameType.PING, 0, 0, b"", payload)
        while connection.ping_payload == payload and not connection.closed:
            try:
                connection.pump(deadline)
            except _DeadlineExceeded:
                raise RPCError(StatusCode.DEADLINE_EXCEEDED, "no PING acknowledgement") from None
        if connection.closed:
            raise RPCError(StatusCode.UNAVAILABLE, f"connection lost: {connection.close_reason}")
        return time.monotonic() - connection.ping_sent_at

    def _backoff(self, attempt: int, error: RPCError, deadline: Optional[float]) -> None:
        delay = min(0.05 * 2 ** (attempt - 1), 5.0) * random.uniform(0.8, 1.2)
        if error.details is not None and error.details.retry_after_millis > 0:
            delay = max(delay, error.details.retry_after_millis / 1000)
        if deadline is not None and time.monotonic() + delay >= deadline:
            raise error
        time.sleep(delay)


def _remaining(deadline: Optional[float]) -> Optional[float]:
    """Seconds left until ``deadline``; a call whose deadline has passed is not sent (PROTOCOL.md §9)."""
    if deadline is None:
        return None
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise RPCError(StatusCode.DEADLINE_EXCEEDED, "deadline exceeded before the call was sent", unprocessed=True)
    return remaining


def _parse_status(frame: Frame) -> "rpc_pb2.Status":
    status = rpc_pb2.Status()
    try:
        status.ParseFromString(frame.meta)
    except Exception:
        raise RPCError(StatusCode.INTERNAL, "malformed STATUS meta") from None
    return status


def _parse_headers(frame: Frame) -> list:
    header = rpc_pb2.CallHeader()
    try:
        header.ParseFromString(frame.meta)
    except Exception:
        raise RPCError(StatusCode.INTERNAL, "malformed HEADERS meta") from None
    return [(e.key, bytes(e.value)) for e in header.metadata]


def _may_retry(error: RPCError, method_path: str, request, entries: list) -> bool:
    """PROTOCOL.md §14: only UNAVAILABLE, and only when the call was never processed, the method is idempotent or
    the call carries an idempotency-key."""
    if error.code != StatusCode.UNAVAILABLE:
        return False
    if error.unprocessed:
        return True
    if any(entry.key == "idempotency-key" for entry in entries):
        return True
    return request is not None and is_idempotent(method_path, request)


def is_idempotent(method_path: str, request) -> bool:
    """Whether the .proto marks the method ``idempotency_level = NO_SIDE_EFFECTS`` or ``IDEMPOTENT``, looked up in
    the descriptor pool of the request's generated module."""
    try:
        service_name, method_name = method_path.lstrip("/").split("/", 1)
        service = request.DESCRIPTOR.file.pool.FindServiceByName(service_name)
        method = service.methods_by_name[method_name]
        return method.GetOptions().idempotency_level in (1, 2)  # NO_SIDE_EFFECTS, IDEMPOTENT
    except Exception:
        return False


# ----------------------------------------------------------------------------------------------------------------
# Command line

HEALTH_CHECK = "/aftersale.health.v1.Health/Check"
HEALTH_WATCH = "/aftersale.health.v1.Health/Watch"
LIST_SERVICES = "/aftersale.reflection.v1.Reflection/ListServices"

USAGE = """usage: aftersale_client.py [--timeout SECONDS] COMMAND ADDR [ARGS]
  health ADDR [SERVICE]   the serving status (Health/Check); exit 0 only when SERVING
  watch ADDR [SERVICE]    every status change (Health/Watch) until interrupted
  list ADDR               services and methods (Reflection/ListServices)
ADDR is unix:///abs/path.sock or tcp://host:port"""


def main(argv: Optional[Sequence[str]] = None) -> int:
    from aftersale.health.v1 import health_pb2
    from aftersale.reflection.v1 import reflection_pb2

    args = list(sys.argv[1:] if argv is None else argv)
    timeout = 5.0
    if len(args) >= 2 and args[0] == "--timeout":
        try:
            timeout = float(args[1])
        except ValueError:
            print(USAGE, file=sys.stderr)
            return 2
        args = args[2:]
    if len(args) < 2 or args[0] not in ("health", "watch", "list") or (args[0] == "list" and len(args) != 2) \
            or len(args) > 3:
        print(USAGE, file=sys.stderr)
        return 2
    command, address, rest = args[0], args[1], args[2:]
    try:
        parse_address(address)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    status_name = health_pb2.HealthCheckResponse.ServingStatus.Name
    try:
        with Client(address, timeout=timeout) as client:
            if command == "health":
                request = health_pb2.HealthCheckRequest(service=rest[0] if rest else "")
                response = client.call(HEALTH_CHECK, request, health_pb2.HealthCheckResponse)
                print(status_name(response.status))
                return 0 if response.status == health_pb2.HealthCheckResponse.SERVING else 1
            if command == "watch":
                request = health_pb2.HealthCheckRequest(service=rest[0] if rest else "")
                for response in client.stream(HEALTH_WATCH, request, health_pb2.HealthCheckResponse):
                    print(status_name(response.status), flush=True)
                return 0
            response = client.call(LIST_SERVICES, reflection_pb2.ListServicesRequest(),
                                   reflection_pb2.ListServicesResponse)
            for service in sorted(response.services, key=lambda s: s.name):
                print(service.name)
                for method in service.methods:
                    kind = " (server streaming)" if method.server_streaming else ""
                    kind = " (client streaming)" if method.client_streaming and not kind else kind
                    print(f"  {method.full_path}({method.input_type}) returns {method.output_type}{kind}")
            return 0
    except RPCError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
