"""The native protocol's wire format (docs/PROTOCOL.md §3–§8), free of I/O: frame codec, addresses, metadata.

Shared by the synchronous (:mod:`aftersale.native`) and the asyncio (:mod:`aftersale.native_aio`) transports.
"""

from __future__ import annotations

import enum
import socket
import struct
from dataclasses import dataclass
from typing import Callable, Iterable, List, Mapping, Optional, Tuple, Union

from aftersale.errors import RPCError, StatusCode
from aftersale.rpc.v1 import rpc_pb2
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



class ProtocolError(Exception):
    """The byte stream cannot be read any further: the connection must send GOAWAY(code) and close."""

    def __init__(self, code: int, message: str):
        self.code = code
        self.message = message
        super().__init__(message)


class ConnectionClosed(Exception):
    """The peer closed the connection (EOF)."""


class DeadlineExceeded(Exception):
    """A local deadline passed while waiting (turned into RPCError DEADLINE_EXCEEDED by the caller)."""


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
        assert skipped is not None
        return skipped


# ----------------------------------------------------------------------------------------------------------------
# Addresses

Target = Union[str, Tuple[str, int]]


def parse_address(address: str) -> Tuple[int, Target]:
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


def open_socket(address: str, timeout: Optional[float]) -> socket.socket:
    family, target = parse_address(address)
    if isinstance(target, str):
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

MetadataValue = Union[str, bytes]
MetadataLike = Union[None, Mapping[str, MetadataValue], Iterable[Tuple[str, MetadataValue]]]
"""A dict or ``(key, value)`` pairs; values ``str`` (sent as UTF-8) or ``bytes`` (required for keys ending in -bin)."""

Metadata = List[Tuple[str, bytes]]


def normalize_metadata(metadata: MetadataLike) -> Metadata:
    """Lower-cased keys and byte values; refuses what neither transport could send."""
    if metadata is None:
        return []
    items = metadata.items() if isinstance(metadata, Mapping) else metadata
    entries: Metadata = []
    for key, value in items:
        key = key.lower()
        if not key or not key.isascii():
            raise ValueError(f"metadata key {key!r} must be non-empty lower-case ASCII")
        if isinstance(value, str):
            if key.endswith("-bin"):
                raise ValueError(f"metadata key {key!r} ends in -bin: its value must be bytes")
            value = value.encode("utf-8")
        entries.append((key, bytes(value)))
    return entries


def metadata_entries(metadata: MetadataLike) -> List[rpc_pb2.MetadataEntry]:
    return [rpc_pb2.MetadataEntry(key=key, value=value) for key, value in normalize_metadata(metadata)]


# ----------------------------------------------------------------------------------------------------------------

def goaway_name(code: int) -> str:
    try:
        return GoAwayCode(code).name
    except ValueError:
        return f"CODE_{code}"


def parse_status(frame: Frame) -> rpc_pb2.Status:
    status = rpc_pb2.Status()
    try:
        status.ParseFromString(frame.meta)
    except Exception:
        raise RPCError(StatusCode.INTERNAL, "malformed STATUS meta") from None
    return status


def parse_headers(frame: Frame) -> Metadata:
    header = rpc_pb2.CallHeader()
    try:
        header.ParseFromString(frame.meta)
    except Exception:
        raise RPCError(StatusCode.INTERNAL, "malformed HEADERS meta") from None
    return [(e.key, bytes(e.value)) for e in header.metadata]

