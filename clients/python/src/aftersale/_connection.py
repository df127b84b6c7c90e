"""What a native-protocol connection does, whatever drives its I/O: streams, SETTINGS, PING, GOAWAY, CALL and
CANCEL (docs/PROTOCOL.md). The synchronous connection (:mod:`aftersale.native`) reads from a blocking socket, the
asyncio one (:mod:`aftersale.native_aio`) from a reader task; both write through :meth:`ConnectionCore._write`,
which never blocks for long (the kernel buffer, or asyncio's write buffer).
"""

from __future__ import annotations

import collections
import os
import time
from typing import Callable, Deque, Dict, List, Optional, Union

from aftersale._wire import (
    DEFAULT_MAX_CONCURRENT_STREAMS, DEFAULT_MAX_FRAME_SIZE, DEFAULT_MAX_META_SIZE, FLAG_ACK, FLAG_COMPRESSED,
    FLAG_END_STREAM, MAX_STREAM_ID, PREFACE, Frame, FrameReader, FrameType, GoAwayCode, Metadata, Oversized,
    encode_frame, goaway_name,
)
from aftersale.errors import RPCError, StatusCode
from aftersale.rpc.v1 import rpc_pb2

Event = Union[Frame, RPCError]


class NotSent(OSError):
    """Writing failed before a single byte of the frame left the client: the peer cannot have seen it."""


class Stream:
    """One call's events (HEADERS, MESSAGE and STATUS frames, or the RPCError that ended it), in order."""

    def __init__(self, stream_id: int, notify: Optional[Callable[[], None]] = None):
        self.id = stream_id
        self.events: Deque[Event] = collections.deque()
        self.headers: Metadata = []
        self.done = False
        self._notify = notify

    def push(self, event: Event) -> None:
        self.events.append(event)
        if self._notify is not None:
            self._notify()


class ConnectionCore:
    """The protocol state of one connection. Subclasses provide ``_write`` (raising OSError, or :class:`NotSent`
    when provably nothing was written), ``_close_transport`` and ``_new_stream``."""

    def __init__(self, recv: Callable[[int], bytes], *, keepalive_interval: Optional[float],
                 keepalive_timeout: float, max_frame_size: Optional[int]):
        self.reader = FrameReader(recv, max_frame_size or DEFAULT_MAX_FRAME_SIZE)
        self.keepalive_interval = keepalive_interval
        self.keepalive_timeout = keepalive_timeout
        self.announced_max_frame_size = max_frame_size
        self.peer_settings = rpc_pb2.Settings()  # zero fields = defaults
        self.settings_received = False
        self.goaway: Optional[rpc_pb2.GoAway] = None
        self.closed = False
        self.close_reason = ""
        self.streams: Dict[int, Stream] = {}
        self.last_stream_id = 0
        self.last_received = time.monotonic()
        self.ping_payload: Optional[bytes] = None
        self.ping_sent_at = 0.0
        self.calls_started = 0

    # --- what subclasses provide

    def _write(self, data: bytes) -> None:
        raise NotImplementedError

    def _close_transport(self) -> None:
        raise NotImplementedError

    def _new_stream(self, stream_id: int) -> Stream:
        return Stream(stream_id)

    # --- limits announced by the server (0 = default)

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

    # --- writing

    def opening_bytes(self) -> List[bytes]:
        """The preface, and our SETTINGS when we announce a frame size."""
        opening = [PREFACE]
        if self.announced_max_frame_size:
            settings = rpc_pb2.Settings(max_frame_size=self.announced_max_frame_size)
            opening.append(encode_frame(FrameType.SETTINGS, 0, 0, settings.SerializeToString()))
        return opening

    def send(self, data: bytes) -> None:
        try:
            self._write(data)
        except OSError as error:
            self.close(f"write failed: {error}")
            raise

    def send_frame(self, frame_type: int, flags: int, stream_id: int, meta: bytes = b"", payload: bytes = b"") -> None:
        self.send(encode_frame(frame_type, flags, stream_id, meta, payload))

    def start(self, method: str, payload: bytes, metadata: List[rpc_pb2.MetadataEntry], timeout: Optional[float],
              traceparent: Optional[str], end_stream: bool = True) -> Stream:
        """Sends CALL. An RPCError with ``unprocessed=True`` means the call certainly never reached the server."""
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
        stream = self._new_stream(self.last_stream_id)
        self.streams[stream.id] = stream
        try:
            self.send_frame(FrameType.CALL, FLAG_END_STREAM if end_stream else 0, stream.id, meta, payload)
        except NotSent as error:
            self.streams.pop(stream.id, None)
            raise RPCError(StatusCode.UNAVAILABLE, f"cannot send the call (nothing was sent): {error}",
                           unprocessed=True) from None
        except OSError as error:
            self.streams.pop(stream.id, None)
            raise RPCError(StatusCode.UNAVAILABLE, f"cannot send the call: {error}") from None
        return stream

    def start_call(self, method: str, payload: bytes, metadata: List[rpc_pb2.MetadataEntry],
                   timeout: Optional[float], traceparent: Optional[str], end_stream: bool,
                   retried: bool) -> Optional[Stream]:
        """:meth:`start`, or None when the call never left the client on a connection that had served before
        and was not retried yet: then the server went away meanwhile, cannot have seen the call, and the caller
        sends it again on a fresh connection, whatever its retry policy (transparent retry)."""
        reused = self.calls_started > 0
        try:
            stream = self.start(method, payload, metadata, timeout, traceparent, end_stream)
        except RPCError as error:
            if error.unprocessed and error.code == StatusCode.UNAVAILABLE and reused and not retried:
                return None
            raise
        self.calls_started += 1
        return stream

    def send_message(self, stream: Stream, payload: bytes, flags: int) -> None:
        """A MESSAGE of a client-streaming call (``flags=FLAG_END_STREAM`` with no payload: the half-close)."""
        try:
            self.send_frame(FrameType.MESSAGE, flags, stream.id, b"", payload)
        except OSError as error:
            raise RPCError(StatusCode.UNAVAILABLE, f"connection lost: {error}") from None

    def cancel(self, stream: Stream) -> None:
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

    def finish(self, stream: Stream) -> None:
        stream.done = True
        self.streams.pop(stream.id, None)
        self._close_if_drained()

    def close(self, reason: str = "closed by the client") -> None:
        if self.closed:
            return
        self.closed = True
        self.close_reason = reason
        try:
            self._close_transport()
        except OSError:
            pass
        for stream in list(self.streams.values()):
            stream.push(RPCError(StatusCode.UNAVAILABLE, f"connection lost: {reason}"))
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
            stream.push(RPCError(StatusCode.INTERNAL, f"protocol error: {message}"))
        self.streams.clear()
        self.close(f"protocol error: {message}")

    # --- keepalive (PROTOCOL.md §11)

    def send_ping(self) -> bytes:
        self.ping_payload = os.urandom(8)
        self.ping_sent_at = time.monotonic()
        try:
            self.send_frame(FrameType.PING, 0, 0, b"", self.ping_payload)
        except OSError:
            pass
        return self.ping_payload

    def keepalive_failed(self) -> None:
        message = f"keepalive: no PING acknowledgement within {self.keepalive_timeout:g}s"
        try:
            goaway = rpc_pb2.GoAway(last_stream_id=0, code=GoAwayCode.KEEPALIVE_TIMEOUT, message=message)
            self.send_frame(FrameType.GOAWAY, 0, 0, goaway.SerializeToString())
        except OSError:
            pass
        self.close(message)

    def keepalive_due(self, now: float) -> Optional[float]:
        """Seconds until keepalive must act (<= 0: now), or None when keepalive is off."""
        if self.keepalive_interval is None:
            return None
        if self.ping_payload is not None:
            return self.ping_sent_at + self.keepalive_timeout - now
        return self.last_received + self.keepalive_interval - now

    def keepalive_act(self) -> None:
        """What keepalive does when due: give up on an unanswered PING, or send one."""
        if self.ping_payload is not None:
            self.keepalive_failed()
        else:
            self.send_ping()

    # --- reading

    def dispatch(self, item: Union[Frame, Oversized]) -> None:
        self.last_received = time.monotonic()
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
                    f"the server is going away ({goaway_name(goaway.code)}: {goaway.message}); "
                    "the call was not processed", unprocessed=True))
            self._close_if_drained()
        elif kind in (FrameType.HEADERS, FrameType.MESSAGE, FrameType.STATUS):
            stream = self.streams.get(frame.stream_id)
            if stream is None:
                return  # a call already over or cancelled: ignore
            if frame.flags & FLAG_COMPRESSED:
                self._fail_stream(frame.stream_id, RPCError(StatusCode.INTERNAL, "compression not supported"))
                return
            stream.push(frame)
        # CALL and CANCEL never come from a server; unknown types are skipped: nothing to do.

    def _fail_stream(self, stream_id: int, error: RPCError) -> None:
        stream = self.streams.get(stream_id)
        if stream is None:
            return
        stream.push(error)
        if error.unprocessed:
            self.streams.pop(stream_id, None)
            stream.done = True
        else:
            self.cancel(stream)
