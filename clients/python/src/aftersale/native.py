"""The native protocol (docs/PROTOCOL.md), synchronous: :class:`Client` owns one connection at a time to one
address (``unix:///path.sock`` or ``tcp://host:port``), opened lazily and replaced after GOAWAY or a broken
connection. :class:`aftersale.AfterSaleClient` is the typed face over it; this module is the transport.

A ``Client`` is meant for one thread; several calls may be in progress on it from that thread (e.g. a unary call
inside the loop over a server stream): frames are demultiplexed by stream id.
"""

from __future__ import annotations

import contextlib
import select
import socket
import time
from dataclasses import dataclass, field
from typing import Any, Generator, Iterable, Iterator, Optional, Self, Type, TypeVar, Union

from google.protobuf.message import Message

from aftersale._connection import ConnectionCore, Event, NotSent, Stream
from aftersale._wire import (  # re-exported: the wire format is part of this module's face
    DEFAULT_MAX_FRAME_SIZE, FLAG_ACK, FLAG_COMPRESSED, FLAG_END_STREAM, HARD_FRAME_SIZE_CAP, HEADER, HEADER_SIZE,
    PREFACE, ConnectionClosed, DeadlineExceeded, Frame, FrameReader, FrameType, GoAwayCode, Metadata, MetadataLike,
    Oversized, ProtocolError, encode, encode_frame, goaway_name, metadata_entries, normalize_metadata, open_socket,
    parse_address, parse_headers, parse_status,
)
from aftersale.errors import RPCError, StatusCode, first_text
from aftersale.methods import is_idempotent
from aftersale.retry import ReadyWait, RetryPolicy
from aftersale.rpc.v1 import rpc_pb2

__all__ = [
    "Client", "Reply", "RPCError", "StatusCode", "Frame", "FrameType", "FrameReader", "GoAwayCode", "ProtocolError",
    "ConnectionClosed", "Oversized", "encode_frame", "encode", "parse_address", "is_idempotent", "PREFACE", "HEADER",
    "HEADER_SIZE", "FLAG_ACK", "FLAG_COMPRESSED", "FLAG_END_STREAM", "HARD_FRAME_SIZE_CAP", "DEFAULT_MAX_FRAME_SIZE",
]

M = TypeVar("M", bound=Message)


# ----------------------------------------------------------------------------------------------------------------
# One connection over a blocking socket

class _Connection(ConnectionCore):
    def __init__(self, sock: socket.socket, *, keepalive_interval: Optional[float], keepalive_timeout: float,
                 max_frame_size: Optional[int]):
        super().__init__(sock.recv, keepalive_interval=keepalive_interval, keepalive_timeout=keepalive_timeout,
                         max_frame_size=max_frame_size)
        self.sock = sock

    def _write(self, data: bytes) -> None:
        """Writes all of ``data``; :class:`NotSent` when the very first ``send`` fails (no byte left us)."""
        self.sock.settimeout(None)
        view = memoryview(data)
        sent = 0
        while sent < len(data):
            try:
                sent += self.sock.send(view[sent:])
            except OSError as error:
                if sent == 0:
                    raise NotSent(error.errno, error.strerror or str(error)) from None
                raise

    def _close_transport(self) -> None:
        self.sock.close()

    def handshake(self, timeout: Optional[float]) -> None:
        deadline = None if timeout is None else time.monotonic() + timeout
        for data in self.opening_bytes():
            self.send(data)
        while not self.settings_received:
            try:
                self.pump(deadline)
            except DeadlineExceeded:
                self.close("no SETTINGS from the server")
                raise RPCError(StatusCode.UNAVAILABLE, "no SETTINGS from the server within the connect timeout",
                               unprocessed=True) from None
            if self.goaway is not None:
                self.close("GOAWAY during the handshake")
                raise RPCError(StatusCode.UNAVAILABLE,
                               f"the server refused the connection: GOAWAY {goaway_name(self.goaway.code)}: "
                               f"{self.goaway.message}", unprocessed=True)
            if self.closed:
                raise RPCError(StatusCode.UNAVAILABLE, f"connection failed: {self.close_reason}", unprocessed=True)

    def poll(self) -> None:
        """Handles whatever already arrived, without waiting: a GOAWAY or the EOF of a server that went away while
        the connection was idle is seen *before* the next call is written to a dead connection."""
        while not self.closed:
            try:
                readable, _, _ = select.select([self.sock], [], [], 0)
            except (OSError, ValueError):
                self.close("the socket is gone")
                return
            if not readable:
                return
            if not self._read_one(0):
                return

    def wait(self, stream: Stream, deadline: Optional[float]) -> Event:
        """The next event of ``stream``: a Frame (HEADERS, MESSAGE or STATUS) or an RPCError."""
        while not stream.events:
            if self.closed:
                return RPCError(StatusCode.UNAVAILABLE, f"connection lost: {self.close_reason}")
            self.pump(deadline)
        return stream.events.popleft()

    def pump(self, deadline: Optional[float]) -> None:
        """Reads and dispatches one frame, pinging when idle; raises DeadlineExceeded at ``deadline``."""
        while True:
            now = time.monotonic()
            wait = None if deadline is None else deadline - now
            if wait is not None and wait <= 0:
                raise DeadlineExceeded()
            keepalive_wait = self.keepalive_due(now)
            if keepalive_wait is not None:
                if keepalive_wait <= 0:
                    failing = self.ping_payload is not None
                    self.keepalive_act()
                    if failing:
                        return
                    continue
                wait = keepalive_wait if wait is None else min(wait, keepalive_wait)
            if self._read_one(wait):
                return

    def _read_one(self, wait: Optional[float]) -> bool:
        """Reads one frame within ``wait`` seconds and dispatches it; False when none came in time."""
        try:
            self.sock.settimeout(wait)
            item = self.reader.read_frame()
        except (socket.timeout, BlockingIOError):
            return False
        except ProtocolError as error:
            self.protocol_error(error.code, error.message)
            return True
        except ConnectionClosed:
            self.close("the server closed the connection")
            return True
        except OSError as error:
            self.close(f"read failed: {error}")
            return True
        self.dispatch(item)
        return True


# ----------------------------------------------------------------------------------------------------------------
# The client

@dataclass
class Reply:
    """A successful unary call: the response, the initial metadata (HEADERS) and the status trailers."""
    message: Any
    headers: Metadata = field(default_factory=list)
    trailers: Metadata = field(default_factory=list)

    def trailer(self, key: str) -> Optional[str]:
        return first_text(self.trailers, key)


class _Default:
    pass


_DEFAULT: Any = _Default()
Timeout = Union[float, None, _Default]


class SyncCaller:
    """What the synchronous transports share: ``call`` over ``call_detailed``, the default deadline, ``with``."""

    timeout: Optional[float]

    def call_detailed(self, method_path: str, request_message: Message, response_class: Type[Message],
                      metadata: MetadataLike = None, timeout: Timeout = _DEFAULT,
                      traceparent: Optional[str] = None) -> Reply:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def call(self, method_path: str, request_message: Message, response_class: Type[M],
             metadata: MetadataLike = None, timeout: Timeout = _DEFAULT, traceparent: Optional[str] = None) -> M:
        """A unary call: the response message, or raises RPCError."""
        reply = self.call_detailed(method_path, request_message, response_class, metadata, timeout, traceparent)
        message: M = reply.message
        return message

    def _deadline(self, timeout: Timeout) -> Optional[float]:
        return deadline_after(self.timeout if isinstance(timeout, _Default) else timeout)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def deadline_after(seconds: Optional[float]) -> Optional[float]:
    return None if seconds is None else time.monotonic() + seconds


class Client(SyncCaller):
    """A synchronous AfterSale RPC client for one address.

    ``timeout`` (seconds) bounds connecting plus the handshake, and is the default deadline of unary calls
    (None: no deadline). Server-streaming calls have no deadline unless given one. ``retry`` (or, shorter,
    ``max_attempts``) says when a call is tried again (:class:`aftersale.RetryPolicy`); whatever it says, a call
    that never left the client — written to a connection found dead before a single byte went out, or refused
    unprocessed by a server going away — is repeated once on a fresh connection (transparent retry).
    ``wait_for_ready`` (seconds, None: fail fast) lets a call ride out a server that cannot be reached for a
    while: connecting is tried again with jittered backoff within that budget and the call's deadline.
    ``keepalive_interval`` (None: off) is how long the connection may be idle while waiting for a call before the
    client PINGs; an answer must come within ``keepalive_timeout``. ``max_frame_size``, when given, is sent in a
    SETTINGS frame and enforced on frames from the server. With ``connect=True`` (the default) the constructor
    connects at once (raising RPCError UNAVAILABLE when it cannot); otherwise the first call connects.
    """

    def __init__(self, address: Optional[str], timeout: Optional[float] = 10.0, *, max_attempts: int = 3,
                 retry: Optional[RetryPolicy] = None, wait_for_ready: Optional[float] = None,
                 keepalive_interval: Optional[float] = 30.0, keepalive_timeout: float = 10.0,
                 max_frame_size: Optional[int] = None, connect: bool = True):
        if address is not None:
            parse_address(address)  # fail early on a malformed address
        self.address = address
        self.timeout = timeout
        self.retry = retry if retry is not None else RetryPolicy(max_attempts=max(1, max_attempts))
        self.wait_for_ready = wait_for_ready
        self.keepalive_interval = keepalive_interval
        self.keepalive_timeout = keepalive_timeout
        self.max_frame_size = max_frame_size
        self._connection: Optional[_Connection] = None
        self._closed = False
        if connect:
            self._connect()

    @property
    def max_attempts(self) -> int:
        return self.retry.max_attempts

    @classmethod
    def from_socket(cls, sock: socket.socket, timeout: Optional[float] = 10.0, **options: Any) -> "Client":
        """A client over an already connected socket (tests, inherited descriptors). It cannot reconnect."""
        options.pop("connect", None)
        client = cls(None, timeout, connect=False, **options)
        client._connection = client._handshake(sock)
        return client

    def close(self) -> None:
        """Closes the connection; calls in progress fail with UNAVAILABLE."""
        self._closed = True
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    # --- connections

    def _handshake(self, sock: socket.socket, timeout: Optional[float] = None) -> _Connection:
        connection = _Connection(sock, keepalive_interval=self.keepalive_interval,
                                 keepalive_timeout=self.keepalive_timeout, max_frame_size=self.max_frame_size)
        try:
            connection.handshake(self.timeout if timeout is None else timeout)
        except OSError as error:
            connection.close(str(error))
            raise RPCError(StatusCode.UNAVAILABLE, f"handshake failed: {error}", unprocessed=True) from None
        except BaseException:
            connection.close("handshake failed")
            raise
        return connection

    def _connect(self, deadline: Optional[float] = None) -> _Connection:
        """The usable connection; with ``wait_for_ready``, connecting again after a jittered backoff while the
        server cannot be reached, within that budget and the call's deadline."""
        waiting = ReadyWait(self.wait_for_ready)
        while True:
            try:
                return self._connect_once(deadline)
            except RPCError as error:
                delay = None if self._closed or self.address is None else waiting.next_delay(error, deadline)
                if delay is None:
                    raise
            time.sleep(delay)

    def _connect_once(self, deadline: Optional[float]) -> _Connection:
        """The usable connection, made anew if need be within the connect timeout or the call's deadline,
        whichever comes first (DEADLINE_EXCEEDED when the deadline does)."""
        if self._closed:
            raise RPCError(StatusCode.UNAVAILABLE, "the client is closed", unprocessed=True)
        if self._connection is not None:
            self._connection.poll()
            if self._connection.usable:
                return self._connection
        if self.address is None:
            raise RPCError(StatusCode.UNAVAILABLE, "the connection is gone and this client cannot reconnect",
                           unprocessed=True)
        timeout = connect_timeout(self.timeout, deadline)
        with deadline_while_connecting(deadline):
            try:
                sock = open_socket(self.address, timeout)
            except OSError as error:
                raise RPCError(StatusCode.UNAVAILABLE, f"cannot connect to {self.address}: {error}",
                               unprocessed=True) from None
            self._connection = self._handshake(sock, timeout)
        return self._connection

    def _start(self, method_path: str, payload: bytes, entries: list[rpc_pb2.MetadataEntry],
               deadline: Optional[float], traceparent: Optional[str],
               end_stream: bool = True) -> tuple[_Connection, Stream]:
        """Sends CALL on a usable connection. A call that never left the client on a connection that had served
        before (the server went away meanwhile) is sent again, once, on a fresh connection: transparent retry,
        outside the retry policy, since the server cannot have seen it."""
        for retried in (False, True):
            connection = self._connect(deadline)
            stream = connection.start_call(method_path, payload, entries, _remaining(deadline), traceparent,
                                           end_stream, retried)
            if stream is not None:
                return connection, stream
        raise AssertionError("start_call declines a call only once")

    # --- calls

    def call_detailed(self, method_path: str, request_message: Message, response_class: Type[Message],
                      metadata: MetadataLike = None, timeout: Timeout = _DEFAULT,
                      traceparent: Optional[str] = None) -> Reply:
        """Like ``call``, with the HEADERS metadata and the status trailers (e.g. ``x-request-id``)."""
        deadline = self._deadline(timeout)
        pairs = normalize_metadata(metadata)
        entries = metadata_entries(pairs)
        payload = request_message.SerializeToString()
        return self.retry.run(
            lambda: self._unary_once(method_path, payload, response_class, entries, deadline, traceparent),
            method_path, pairs, deadline)

    def _unary_once(self, method_path: str, payload: bytes, response_class: Type[Message],
                    entries: list[rpc_pb2.MetadataEntry], deadline: Optional[float],
                    traceparent: Optional[str]) -> Reply:
        connection, stream = self._start(method_path, payload, entries, deadline, traceparent)
        try:
            return self._single_response(connection, stream, response_class, deadline)
        finally:
            connection.cancel(stream)  # no-op when the call ended normally

    @staticmethod
    def _single_response(connection: _Connection, stream: Stream, response_class: Type[Message],
                         deadline: Optional[float]) -> Reply:
        """Waits for the STATUS of a unary or client-streaming call."""
        while True:
            try:
                event = connection.wait(stream, deadline)
            except DeadlineExceeded:
                raise RPCError(StatusCode.DEADLINE_EXCEEDED, "deadline exceeded") from None
            reply = _single_response_event(connection, stream, event, response_class)
            if reply is not None:
                return reply

    def client_stream(self, method_path: str, requests: Iterable[Message], response_class: Type[Message],
                      metadata: MetadataLike = None, timeout: Timeout = _DEFAULT,
                      traceparent: Optional[str] = None) -> Reply:
        """A client-streaming call: sends every message of ``requests`` (CALL without a message, one MESSAGE
        each, then the half-close) and returns the ``Reply``. Not retried once the first request was taken from
        ``requests``; only a failure to connect is."""
        deadline = self._deadline(timeout)
        pairs = normalize_metadata(metadata)
        entries = metadata_entries(pairs)
        connection, stream = self.retry.run(
            lambda: self._start(method_path, b"", entries, deadline, traceparent, end_stream=False),
            method_path, [], deadline)  # a CALL without a message is always safe to repeat until it is sent
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
                connection.send_message(stream, payload, 0)
            if not stream.done:
                connection.send_message(stream, b"", FLAG_END_STREAM)  # half-close
            return self._single_response(connection, stream, response_class, deadline)
        finally:
            connection.cancel(stream)

    def stream(self, method_path: str, request: Message, response_class: Type[M], metadata: MetadataLike = None,
               timeout: Optional[float] = None, traceparent: Optional[str] = None) -> Iterator[M]:
        """A server-streaming call: yields each response message; returns when the server ends the stream with
        OK; raises RPCError otherwise. Closing the generator early (``break``) cancels the call. Retried like a
        unary call, but never once a message was delivered (a repeat would deliver it twice)."""
        deadline = deadline_after(timeout)
        pairs = normalize_metadata(metadata)
        entries = metadata_entries(pairs)
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
                delay = None if delivered else self.retry.next_delay(attempt, error, method_path, pairs, deadline)
                if delay is None:
                    raise
            finally:
                inner.close()  # an early close of this generator cancels the call now, not at garbage collection
            time.sleep(delay)

    def _stream_once(self, method_path: str, payload: bytes, response_class: Type[M],
                     entries: list[rpc_pb2.MetadataEntry], deadline: Optional[float],
                     traceparent: Optional[str]) -> Generator[M, None, None]:
        connection, stream = self._start(method_path, payload, entries, deadline, traceparent)
        try:
            while True:
                try:
                    event = connection.wait(stream, deadline)
                except DeadlineExceeded:
                    raise RPCError(StatusCode.DEADLINE_EXCEEDED, "deadline exceeded") from None
                message = _stream_event(connection, stream, event, response_class)
                if message is _END:
                    return
                if message is not None:
                    yield message
        finally:
            connection.cancel(stream)  # early close, error or deadline: tell the server; no-op after STATUS

    def ping(self, timeout: Optional[float] = None) -> float:
        """Round-trip time of a PING, in seconds."""
        timeout = self.timeout if timeout is None else timeout
        connection = self._connect()
        deadline = None if timeout is None else time.monotonic() + timeout
        payload = connection.send_ping()
        while connection.ping_payload == payload and not connection.closed:
            try:
                connection.pump(deadline)
            except DeadlineExceeded:
                raise RPCError(StatusCode.DEADLINE_EXCEEDED, "no PING acknowledgement") from None
        if connection.closed:
            raise RPCError(StatusCode.UNAVAILABLE, f"connection lost: {connection.close_reason}")
        return time.monotonic() - connection.ping_sent_at


# ----------------------------------------------------------------------------------------------------------------
# Shared with the asyncio transport: connecting within a deadline, what one event of a call means

def connect_timeout(timeout: Optional[float], deadline: Optional[float]) -> Optional[float]:
    """How long connecting may take: the client's connect timeout, cut to what is left of the call's deadline."""
    if deadline is None:
        return timeout
    left = max(deadline - time.monotonic(), 0.0)
    return left if timeout is None else min(timeout, left)


@contextlib.contextmanager
def deadline_while_connecting(deadline: Optional[float]) -> Iterator[None]:
    """A failure to connect once the call's deadline has passed is that deadline's doing: DEADLINE_EXCEEDED."""
    try:
        yield
    except RPCError as error:
        if deadline is not None and time.monotonic() >= deadline and error.code == StatusCode.UNAVAILABLE:
            raise RPCError(StatusCode.DEADLINE_EXCEEDED, f"deadline exceeded while connecting ({error.message})",
                           unprocessed=True) from None
        raise


_END: Any = object()


def _remaining(deadline: Optional[float]) -> Optional[float]:
    """Seconds left until ``deadline``; a call whose deadline has passed is not sent (PROTOCOL.md §9)."""
    if deadline is None:
        return None
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise RPCError(StatusCode.DEADLINE_EXCEEDED, "deadline exceeded before the call was sent", unprocessed=True)
    return remaining


def _single_response_event(connection: ConnectionCore, stream: Stream, event: Event,
                           response_class: Type[Message]) -> Optional[Reply]:
    """The Reply when ``event`` ends a call with a single response; None when more must come; raises on errors."""
    if isinstance(event, RPCError):
        raise event
    if event.type == FrameType.HEADERS:
        stream.headers = parse_headers(event)
    elif event.type == FrameType.MESSAGE:
        raise RPCError(StatusCode.INTERNAL, "a MESSAGE frame on a call with a single response")
    elif event.type == FrameType.STATUS:
        connection.finish(stream)
        status = parse_status(event)
        if status.code != StatusCode.OK:
            raise RPCError.from_status(status)
        try:
            message = response_class.FromString(event.payload)
        except Exception as error:
            raise RPCError(StatusCode.INTERNAL,
                           f"the response is not a valid {response_class.DESCRIPTOR.full_name}: {error}") from None
        return Reply(message, stream.headers, [(e.key, bytes(e.value)) for e in status.trailers])
    return None


def _stream_event(connection: ConnectionCore, stream: Stream, event: Event, response_class: Type[M]) -> Any:
    """A streamed message, ``_END`` when the server ended the stream with OK, None for HEADERS; raises on errors."""
    if isinstance(event, RPCError):
        raise event
    if event.type == FrameType.HEADERS:
        stream.headers = parse_headers(event)
    elif event.type == FrameType.MESSAGE:
        try:
            return response_class.FromString(event.payload)
        except Exception as error:
            raise RPCError(StatusCode.INTERNAL, f"a streamed response is not a valid "
                                                f"{response_class.DESCRIPTOR.full_name}: {error}") from None
    elif event.type == FrameType.STATUS:
        connection.finish(stream)
        status = parse_status(event)
        if status.code != StatusCode.OK:
            raise RPCError.from_status(status)
        return _END
    return None
