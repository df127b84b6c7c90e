"""The native protocol (docs/PROTOCOL.md) on asyncio streams: :class:`AsyncClient` is :class:`aftersale.native.Client`
for coroutines. One reader task per connection reads frames and hands each to its call; any number of calls may be
in progress at once from any task of the loop. :class:`aftersale.AsyncAfterSaleClient` is the typed face over it.
"""

from __future__ import annotations

import asyncio
import errno
import time
from typing import Any, AsyncIterator, Iterable, Optional, Self, Type, TypeVar

from google.protobuf.message import Message

from aftersale._connection import ConnectionCore, Event, NotSent, Stream
from aftersale._wire import (
    FLAG_END_STREAM, ConnectionClosed, DeadlineExceeded, MetadataLike, ProtocolError, goaway_name, metadata_entries,
    normalize_metadata, parse_address,
)
from aftersale.errors import RPCError, StatusCode
from aftersale.native import (
    _DEFAULT, _END, Reply, Timeout, _Default, _remaining, _single_response_event, _stream_event, connect_timeout,
    deadline_after, deadline_while_connecting,
)
from aftersale.retry import ReadyWait, RetryPolicy
from aftersale.rpc.v1 import rpc_pb2

__all__ = ["AsyncClient"]

M = TypeVar("M", bound=Message)


class _AsyncStream(Stream):
    def __init__(self, stream_id: int):
        self.ready = asyncio.Event()
        super().__init__(stream_id, self.ready.set)


class _AsyncConnection(ConnectionCore):
    """A connection over asyncio streams. Frames are cut by the shared FrameReader from what the reader task
    received: its ``recv`` hands out the bytes read so far and raises BlockingIOError when they run out."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *,
                 keepalive_interval: Optional[float], keepalive_timeout: float, max_frame_size: Optional[int]):
        super().__init__(self._recv, keepalive_interval=keepalive_interval, keepalive_timeout=keepalive_timeout,
                         max_frame_size=max_frame_size)
        self._stream_reader = reader
        self._writer = writer
        self._incoming = bytearray()
        self._eof = False
        self._changed = asyncio.Event()
        self._task: Optional[asyncio.Task[None]] = None

    def _recv(self, count: int) -> bytes:
        if self._incoming:
            chunk = bytes(self._incoming[:count])
            del self._incoming[:count]
            return chunk
        if self._eof:
            return b""
        raise BlockingIOError()

    def _write(self, data: bytes) -> None:
        transport = self._writer.transport
        if transport.is_closing():
            raise NotSent(errno.EPIPE, "the connection is closing")
        nothing_pending = transport.get_write_buffer_size() == 0
        self._writer.write(data)
        # With nothing buffered, write() sends at once; a failure there closes the transport before returning,
        # and then not a byte of ``data`` left us.
        if transport.is_closing() and nothing_pending:
            raise NotSent(errno.EPIPE, "the server closed the connection")

    def _close_transport(self) -> None:
        self._writer.close()
        self._changed.set()
        if self._task is not None and self._task is not asyncio.current_task():
            self._task.cancel()

    def _new_stream(self, stream_id: int) -> Stream:
        return _AsyncStream(stream_id)

    async def flush(self) -> None:
        """Waits while asyncio's write buffer is over its high-water mark (flow control)."""
        try:
            await self._writer.drain()
        except (ConnectionError, OSError) as error:
            self.close(f"write failed: {error}")

    async def handshake(self, timeout: Optional[float]) -> None:
        for data in self.opening_bytes():
            self.send(data)
        self._task = asyncio.get_running_loop().create_task(self._read_loop())
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.settings_received:
            if self.goaway is not None:
                self.close("GOAWAY during the handshake")
                raise RPCError(StatusCode.UNAVAILABLE,
                               f"the server refused the connection: GOAWAY {goaway_name(self.goaway.code)}: "
                               f"{self.goaway.message}", unprocessed=True)
            if self.closed:
                raise RPCError(StatusCode.UNAVAILABLE, f"connection failed: {self.close_reason}", unprocessed=True)
            try:
                await self._wait_changed(deadline)
            except DeadlineExceeded:
                self.close("no SETTINGS from the server")
                raise RPCError(StatusCode.UNAVAILABLE, "no SETTINGS from the server within the connect timeout",
                               unprocessed=True) from None

    async def _wait_changed(self, deadline: Optional[float]) -> None:
        self._changed.clear()
        await _until(self._changed.wait(), deadline)

    async def wait(self, stream: Stream, deadline: Optional[float]) -> Event:
        """The next event of ``stream``: a Frame (HEADERS, MESSAGE or STATUS) or an RPCError."""
        assert isinstance(stream, _AsyncStream)
        while not stream.events:
            if self.closed:
                return RPCError(StatusCode.UNAVAILABLE, f"connection lost: {self.close_reason}")
            stream.ready.clear()
            await _until(stream.ready.wait(), deadline)
        return stream.events.popleft()

    def dispatch(self, item: Any) -> None:
        super().dispatch(item)
        self._changed.set()

    async def _read_loop(self) -> None:
        try:
            while not self.closed:
                due = self.keepalive_due(time.monotonic()) if self.streams else None
                if due is not None and due <= 0:
                    self.keepalive_act()
                    continue
                try:
                    data = await asyncio.wait_for(self._stream_reader.read(65536), due)
                except asyncio.TimeoutError:
                    continue
                if data:
                    self._incoming += data
                else:
                    self._eof = True
                while not self.closed:
                    try:
                        item = self.reader.read_frame()
                    except BlockingIOError:
                        break
                    self.dispatch(item)
        except ProtocolError as error:
            self.protocol_error(error.code, error.message)
        except ConnectionClosed:
            self.close("the server closed the connection")
        except (ConnectionError, OSError) as error:
            self.close(f"read failed: {error}")


async def _until(awaitable: Any, deadline: Optional[float]) -> None:
    """Awaits ``awaitable``; DeadlineExceeded at ``deadline``."""
    if deadline is None:
        await awaitable
        return
    remaining = deadline - time.monotonic()
    try:
        await asyncio.wait_for(awaitable, max(remaining, 0))
    except asyncio.TimeoutError:
        raise DeadlineExceeded() from None


async def _open(address: str, timeout: Optional[float]) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    family, target = parse_address(address)
    if isinstance(target, str):
        return await asyncio.wait_for(asyncio.open_unix_connection(target), timeout)
    host, port = target
    return await asyncio.wait_for(asyncio.open_connection(host, port), timeout)  # asyncio sets TCP_NODELAY


class AsyncCaller:
    """What the asyncio transports share: ``call`` over ``call_detailed``, the default deadline, ``async with``."""

    timeout: Optional[float]

    async def call_detailed(self, method_path: str, request_message: Message, response_class: Type[Message],
                            metadata: MetadataLike = None, timeout: Timeout = _DEFAULT,
                            traceparent: Optional[str] = None) -> Reply:
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError

    async def call(self, method_path: str, request_message: Message, response_class: Type[M],
                   metadata: MetadataLike = None, timeout: Timeout = _DEFAULT,
                   traceparent: Optional[str] = None) -> M:
        """A unary call: the response message, or raises RPCError."""
        reply = await self.call_detailed(method_path, request_message, response_class, metadata, timeout,
                                         traceparent)
        message: M = reply.message
        return message

    def _deadline(self, timeout: Timeout) -> Optional[float]:
        return deadline_after(self.timeout if isinstance(timeout, _Default) else timeout)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


class AsyncClient(AsyncCaller):
    """The asyncio twin of :class:`aftersale.native.Client` (same options, same retry and transparent-retry rules).
    Connects on first use (or ``await client.connect()``); ``async with`` closes it."""

    def __init__(self, address: str, timeout: Optional[float] = 10.0, *, max_attempts: int = 3,
                 retry: Optional[RetryPolicy] = None, wait_for_ready: Optional[float] = None,
                 keepalive_interval: Optional[float] = 30.0, keepalive_timeout: float = 10.0,
                 max_frame_size: Optional[int] = None):
        parse_address(address)  # fail early on a malformed address
        self.address = address
        self.timeout = timeout
        self.retry = retry if retry is not None else RetryPolicy(max_attempts=max(1, max_attempts))
        self.wait_for_ready = wait_for_ready
        self.keepalive_interval = keepalive_interval
        self.keepalive_timeout = keepalive_timeout
        self.max_frame_size = max_frame_size
        self._connection: Optional[_AsyncConnection] = None
        self._connecting: Optional[asyncio.Lock] = None
        self._closed = False

    async def close(self) -> None:
        """Closes the connection; calls in progress fail with UNAVAILABLE."""
        self._closed = True
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()
            task = connection._task
            if task is not None:
                try:
                    await task
                except asyncio.CancelledError:
                    pass

    async def connect(self) -> None:
        """Connects now (otherwise the first call does); RPCError UNAVAILABLE when it cannot."""
        await self._connect()

    async def _connect(self, deadline: Optional[float] = None) -> _AsyncConnection:
        """The usable connection, waiting for ready as :meth:`aftersale.native.Client._connect` does."""
        waiting = ReadyWait(self.wait_for_ready)
        while True:
            try:
                return await self._connect_once(deadline)
            except RPCError as error:
                delay = None if self._closed else waiting.next_delay(error, deadline)
                if delay is None:
                    raise
            await asyncio.sleep(delay)

    async def _connect_once(self, deadline: Optional[float]) -> _AsyncConnection:
        if self._closed:
            raise RPCError(StatusCode.UNAVAILABLE, "the client is closed", unprocessed=True)
        if self._connection is not None and self._connection.usable:
            return self._connection
        if self._connecting is None:
            self._connecting = asyncio.Lock()
        async with self._connecting:  # concurrent calls share one new connection
            if self._connection is not None and self._connection.usable:
                return self._connection
            timeout = connect_timeout(self.timeout, deadline)
            with deadline_while_connecting(deadline):
                try:
                    reader, writer = await _open(self.address, timeout)
                except (OSError, asyncio.TimeoutError) as error:
                    raise RPCError(StatusCode.UNAVAILABLE,
                                   f"cannot connect to {self.address}: {error or 'timeout'}", unprocessed=True) from None
                connection = _AsyncConnection(reader, writer, keepalive_interval=self.keepalive_interval,
                                              keepalive_timeout=self.keepalive_timeout,
                                              max_frame_size=self.max_frame_size)
                try:
                    await connection.handshake(timeout)
                except OSError as error:
                    connection.close(str(error))
                    raise RPCError(StatusCode.UNAVAILABLE, f"handshake failed: {error}", unprocessed=True) from None
                except BaseException:
                    connection.close("handshake failed")
                    raise
            self._connection = connection
            return connection

    async def _start(self, method_path: str, payload: bytes, entries: list[rpc_pb2.MetadataEntry],
                     deadline: Optional[float], traceparent: Optional[str],
                     end_stream: bool = True) -> tuple[_AsyncConnection, Stream]:
        """Sends CALL; a call that never left the client on a connection that had served before is sent again,
        once, on a fresh connection (transparent retry, outside the retry policy)."""
        for retried in (False, True):
            await asyncio.sleep(0)  # let the reader task see an EOF or GOAWAY that already arrived
            connection = await self._connect(deadline)
            stream = connection.start_call(method_path, payload, entries, _remaining(deadline), traceparent,
                                           end_stream, retried)
            if stream is not None:
                await connection.flush()
                return connection, stream
        raise AssertionError("start_call declines a call only once")

    async def call_detailed(self, method_path: str, request_message: Message, response_class: Type[Message],
                            metadata: MetadataLike = None, timeout: Timeout = _DEFAULT,
                            traceparent: Optional[str] = None) -> Reply:
        """Like ``call``, with the HEADERS metadata and the status trailers (e.g. ``x-request-id``)."""
        deadline = self._deadline(timeout)
        pairs = normalize_metadata(metadata)
        entries = metadata_entries(pairs)
        payload = request_message.SerializeToString()

        async def attempt() -> Reply:
            connection, stream = await self._start(method_path, payload, entries, deadline, traceparent)
            try:
                return await self._single_response(connection, stream, response_class, deadline)
            finally:
                connection.cancel(stream)  # no-op when the call ended normally

        return await self.retry.run_async(attempt, method_path, pairs, deadline)

    @staticmethod
    async def _single_response(connection: _AsyncConnection, stream: Stream, response_class: Type[Message],
                               deadline: Optional[float]) -> Reply:
        while True:
            try:
                event = await connection.wait(stream, deadline)
            except DeadlineExceeded:
                raise RPCError(StatusCode.DEADLINE_EXCEEDED, "deadline exceeded") from None
            reply = _single_response_event(connection, stream, event, response_class)
            if reply is not None:
                return reply

    async def client_stream(self, method_path: str, requests: Iterable[Message], response_class: Type[Message],
                            metadata: MetadataLike = None, timeout: Timeout = _DEFAULT,
                            traceparent: Optional[str] = None) -> Reply:
        """A client-streaming call (see :meth:`aftersale.native.Client.client_stream`)."""
        deadline = self._deadline(timeout)
        entries = metadata_entries(normalize_metadata(metadata))
        connection, stream = await self.retry.run_async(
            lambda: self._start(method_path, b"", entries, deadline, traceparent, end_stream=False),
            method_path, [], deadline)
        try:
            for request in requests:
                if stream.events or stream.done:
                    break  # the server already ended the call: its STATUS says why
                payload = request.SerializeToString()
                if 8 + len(payload) > connection.max_frame_size:
                    raise RPCError(StatusCode.RESOURCE_EXHAUSTED, f"request of {len(payload)} bytes exceeds "
                                                                  f"max_frame_size {connection.max_frame_size}")
                connection.send_message(stream, payload, 0)
                await connection.flush()
            if not stream.done:
                connection.send_message(stream, b"", FLAG_END_STREAM)  # half-close
            return await self._single_response(connection, stream, response_class, deadline)
        finally:
            connection.cancel(stream)

    async def stream(self, method_path: str, request: Message, response_class: Type[M],
                     metadata: MetadataLike = None, timeout: Optional[float] = None,
                     traceparent: Optional[str] = None) -> AsyncIterator[M]:
        """A server-streaming call, as an async generator; never retried once a message was delivered. Leaving
        the loop early cancels the call when the generator is closed (``contextlib.aclosing`` makes that prompt)."""
        deadline = deadline_after(timeout)
        pairs = normalize_metadata(metadata)
        entries = metadata_entries(pairs)
        payload = request.SerializeToString()
        attempt = 0
        while True:
            attempt += 1
            delivered = False
            try:
                connection, stream = await self._start(method_path, payload, entries, deadline, traceparent)
                try:
                    while True:
                        try:
                            event = await connection.wait(stream, deadline)
                        except DeadlineExceeded:
                            raise RPCError(StatusCode.DEADLINE_EXCEEDED, "deadline exceeded") from None
                        message = _stream_event(connection, stream, event, response_class)
                        if message is _END:
                            return
                        if message is not None:
                            delivered = True
                            yield message
                finally:
                    connection.cancel(stream)
            except RPCError as error:
                delay = None if delivered else self.retry.next_delay(attempt, error, method_path, pairs, deadline)
                if delay is None:
                    raise
            await asyncio.sleep(delay)

    async def ping(self, timeout: Optional[float] = None) -> float:
        """Round-trip time of a PING, in seconds."""
        timeout = self.timeout if timeout is None else timeout
        connection = await self._connect()
        deadline = None if timeout is None else time.monotonic() + timeout
        payload = connection.send_ping()
        while connection.ping_payload == payload and not connection.closed:
            try:
                await connection._wait_changed(deadline)
            except DeadlineExceeded:
                raise RPCError(StatusCode.DEADLINE_EXCEEDED, "no PING acknowledgement") from None
        if connection.closed:
            raise RPCError(StatusCode.UNAVAILABLE, f"connection lost: {connection.close_reason}")
        return time.monotonic() - connection.ping_sent_at
