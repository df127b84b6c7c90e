"""The gRPC transport: the same calls as :mod:`aftersale.native`, through grpcio's generic multicallables
(``grpc`` and ``grpc.aio``) and our generated message classes — no grpcio-tools stubs. grpcio is imported when a
gRPC client is made, so the native transport works without it.

Addresses: ``grpc://host:port`` (plaintext), ``grpcs://host:port`` (TLS; ``root_certificates`` or the system's),
``grpc+unix:///path.sock`` (plaintext over a Unix socket).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, AsyncIterator, Iterator, Optional, Sequence, Tuple, Type, TypeVar

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.message import Message

from aftersale._wire import Metadata, MetadataLike, normalize_metadata
from aftersale.errors import RPCError, StatusCode, decode_error_details
from aftersale.native import _DEFAULT, Reply, SyncCaller, Timeout, _remaining, deadline_after
from aftersale.native_aio import AsyncCaller
from aftersale.retry import RetryPolicy

if TYPE_CHECKING:
    import grpc
    import grpc.aio

__all__ = ["GrpcClient", "AsyncGrpcClient", "grpc_target", "is_grpc_address"]

M = TypeVar("M", bound=Message)

GRPC_SCHEMES = ("grpc://", "grpcs://", "grpc+unix://")
DETAILS_TRAILER = "aftersale-error-details-bin"
"""A trailer holding ``aftersale.common.v1.ErrorDetails`` bytes (what the native protocol carries in its STATUS)."""
STATUS_DETAILS_TRAILER = "grpc-status-details-bin"
"""gRPC's rich-error trailer: a ``google.rpc.Status`` whose ``details`` may hold an ``ErrorDetails`` in an Any."""


def is_grpc_address(address: str) -> bool:
    return address.startswith(GRPC_SCHEMES)


def grpc_target(address: str) -> Tuple[str, bool]:
    """(grpcio target, TLS?) for ``grpc://host:port``, ``grpcs://host:port`` or ``grpc+unix:///path``."""
    for scheme, target_prefix, tls in (("grpc://", "", False), ("grpcs://", "", True),
                                       ("grpc+unix://", "unix://", False)):
        if address.startswith(scheme):
            rest = address[len(scheme):]
            if scheme == "grpc+unix://":
                if not rest.startswith("/"):
                    raise ValueError(f"{address!r}: a unix address needs an absolute path, e.g. grpc+unix:///run/x.sock")
            else:
                host, sep, port = rest.rpartition(":")
                if not sep or not host or not port.isdigit() or not 0 < int(port) <= 65535:
                    raise ValueError(f"{address!r}: a gRPC address needs host and port, e.g. grpc://127.0.0.1:7443")
            return target_prefix + rest, tls
    raise ValueError(f"{address!r} is not a gRPC address: use grpc://host:port, grpcs://host:port or "
                     "grpc+unix:///path.sock")


def _google_rpc_status_class() -> Type[Message]:
    """``google.rpc.Status`` (code, message, repeated Any details), built from a descriptor in a private pool so
    that neither googleapis-common-protos nor a clash with another copy of it is needed."""
    pool = descriptor_pool.DescriptorPool()
    from google.protobuf import any_pb2
    pool.AddSerializedFile(any_pb2.DESCRIPTOR.serialized_pb)
    file = descriptor_pb2.FileDescriptorProto(name="aftersale_private/google_rpc_status.proto", package="google.rpc",
                                              syntax="proto3", dependency=["google/protobuf/any.proto"])
    status = file.message_type.add(name="Status")
    status.field.add(name="code", number=1, type=descriptor_pb2.FieldDescriptorProto.TYPE_INT32,
                     label=descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL)
    status.field.add(name="message", number=2, type=descriptor_pb2.FieldDescriptorProto.TYPE_STRING,
                     label=descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL)
    status.field.add(name="details", number=3, type=descriptor_pb2.FieldDescriptorProto.TYPE_MESSAGE,
                     label=descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED, type_name=".google.protobuf.Any")
    pool.Add(file)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("google.rpc.Status"))


_RpcStatus: Optional[Type[Message]] = None


def _details_from_trailers(trailers: Metadata) -> bytes:
    """The ErrorDetails bytes a gRPC error carries, in our trailer or inside gRPC's rich status."""
    global _RpcStatus
    for key, value in trailers:
        if key == DETAILS_TRAILER:
            return value
    for key, value in trailers:
        if key == STATUS_DETAILS_TRAILER:
            if _RpcStatus is None:
                _RpcStatus = _google_rpc_status_class()
            status: Any = _RpcStatus()
            try:
                status.ParseFromString(value)
            except Exception:
                return b""
            for detail in status.details:
                if detail.type_url.endswith("/aftersale.common.v1.ErrorDetails"):
                    return bytes(detail.value)
    return b""


def _metadata_pairs(raw: Any) -> Metadata:
    """grpcio's metadata (tuples, or grpc.aio's Metadata) as (key, bytes) pairs."""
    pairs: Metadata = []
    for key, value in raw or ():
        pairs.append((key, value if isinstance(value, bytes) else str(value).encode("utf-8")))
    return pairs


def _error(error: Any) -> RPCError:
    """RPCError from a ``grpc.RpcError`` (sync) or ``grpc.aio.AioRpcError``: both are also a ``grpc.Call``."""
    code = error.code().value[0] if error.code() is not None else StatusCode.UNKNOWN
    trailers = _metadata_pairs(error.trailing_metadata())
    details_bytes = _details_from_trailers(trailers)
    return RPCError(code, error.details() or "", decode_error_details(details_bytes), details_bytes=details_bytes,
                    trailers=trailers)


def _grpc_metadata(pairs: Metadata, traceparent: Optional[str]) -> Tuple[Tuple[str, Any], ...]:
    """grpcio wants text values as ``str`` and only ``-bin`` values as bytes."""
    items: list[Tuple[str, Any]] = [(k, v if k.endswith("-bin") else v.decode("utf-8")) for k, v in pairs]
    if traceparent:
        items.append(("traceparent", traceparent))
    return tuple(items)


class _GrpcBase:
    def __init__(self, address: str, timeout: Optional[float], retry: Optional[RetryPolicy],
                 max_attempts: int, root_certificates: Optional[bytes], options: Sequence[Tuple[str, Any]],
                 wait_for_ready: Optional[float]):
        self.address = address
        self.target, self.tls = grpc_target(address)
        self.timeout = timeout
        self.retry = retry if retry is not None else RetryPolicy(max_attempts=max(1, max_attempts))
        self._root_certificates = root_certificates
        # grpcio's wait-for-ready is a flag; the call's deadline bounds the wait.
        self._wait_for_ready = True if wait_for_ready is not None else None
        # grpcio's own reconnect backoff is jittered; its retries stay off: the policy above decides, the same
        # for both transports. Transparent retries (a call that never left the client) grpcio does by itself.
        self._options = [("grpc.enable_retries", 0), *options]

    def _credentials(self, grpc_module: Any) -> Any:
        return grpc_module.ssl_channel_credentials(root_certificates=self._root_certificates)


class GrpcClient(_GrpcBase, SyncCaller):
    """Synchronous calls over gRPC (``grpc.Channel``), with the interface of :class:`aftersale.native.Client`."""

    def __init__(self, address: str, timeout: Optional[float] = 10.0, *, max_attempts: int = 3,
                 retry: Optional[RetryPolicy] = None, root_certificates: Optional[bytes] = None,
                 options: Sequence[Tuple[str, Any]] = (), wait_for_ready: Optional[float] = None):
        super().__init__(address, timeout, retry, max_attempts, root_certificates, options, wait_for_ready)
        import grpc
        self._channel: grpc.Channel = (
            grpc.secure_channel(self.target, self._credentials(grpc), options=self._options) if self.tls
            else grpc.insecure_channel(self.target, options=self._options))

    def close(self) -> None:
        self._channel.close()

    def call_detailed(self, method_path: str, request_message: Message, response_class: Type[Message],
                      metadata: MetadataLike = None, timeout: Timeout = _DEFAULT,
                      traceparent: Optional[str] = None) -> Reply:
        import grpc
        deadline = self._deadline(timeout)
        pairs = normalize_metadata(metadata)
        grpc_metadata = _grpc_metadata(pairs, traceparent)
        method = self._channel.unary_unary(method_path, request_serializer=_serialize,
                                           response_deserializer=response_class.FromString)

        def attempt() -> Reply:
            try:
                response, call = method.with_call(request_message, timeout=_remaining(deadline),
                                                  metadata=grpc_metadata, wait_for_ready=self._wait_for_ready)
            except grpc.RpcError as error:
                raise _error(error) from None
            return Reply(response, _metadata_pairs(call.initial_metadata()),
                         _metadata_pairs(call.trailing_metadata()))

        return self.retry.run(attempt, method_path, pairs, deadline)

    def stream(self, method_path: str, request: Message, response_class: Type[M], metadata: MetadataLike = None,
               timeout: Optional[float] = None, traceparent: Optional[str] = None) -> Iterator[M]:
        """A server-streaming call; retried like a unary call, but never once a message was delivered."""
        import grpc
        deadline = deadline_after(timeout)
        pairs = normalize_metadata(metadata)
        grpc_metadata = _grpc_metadata(pairs, traceparent)
        method = self._channel.unary_stream(method_path, request_serializer=_serialize,
                                            response_deserializer=response_class.FromString)
        attempt = 0
        while True:
            attempt += 1
            delivered = False
            call = method(request, timeout=_remaining(deadline), metadata=grpc_metadata,
                          wait_for_ready=self._wait_for_ready)
            try:
                for message in call:
                    delivered = True
                    yield message
                return
            except grpc.RpcError as error:
                failure = _error(error)
                delay = None if delivered else self.retry.next_delay(attempt, failure, method_path, pairs, deadline)
                if delay is None:
                    raise failure from None
            finally:
                call.cancel()  # type: ignore[no-untyped-call]  # early close cancels the call; no-op after the end
            time.sleep(delay)


class AsyncGrpcClient(_GrpcBase, AsyncCaller):
    """Calls over ``grpc.aio``, with the interface of :class:`aftersale.native_aio.AsyncClient`."""

    def __init__(self, address: str, timeout: Optional[float] = 10.0, *, max_attempts: int = 3,
                 retry: Optional[RetryPolicy] = None, root_certificates: Optional[bytes] = None,
                 options: Sequence[Tuple[str, Any]] = (), wait_for_ready: Optional[float] = None):
        super().__init__(address, timeout, retry, max_attempts, root_certificates, options, wait_for_ready)
        self._channel: Optional[grpc.aio.Channel] = None

    def _get_channel(self) -> "grpc.aio.Channel":
        if self._channel is None:  # made inside the running loop, which grpc.aio channels belong to
            import grpc
            import grpc.aio
            self._channel = (
                grpc.aio.secure_channel(self.target, self._credentials(grpc), options=self._options) if self.tls
                else grpc.aio.insecure_channel(self.target, options=self._options))
        return self._channel

    async def close(self) -> None:
        if self._channel is not None:
            await self._channel.close(None)
            self._channel = None

    async def connect(self) -> None:
        """Waits until the channel is ready (otherwise the first call connects)."""
        await self._get_channel().channel_ready()

    async def call_detailed(self, method_path: str, request_message: Message, response_class: Type[Message],
                            metadata: MetadataLike = None, timeout: Timeout = _DEFAULT,
                            traceparent: Optional[str] = None) -> Reply:
        import grpc.aio
        deadline = self._deadline(timeout)
        pairs = normalize_metadata(metadata)
        grpc_metadata = _grpc_metadata(pairs, traceparent)
        method = self._get_channel().unary_unary(method_path, request_serializer=_serialize,
                                                 response_deserializer=response_class.FromString)

        async def attempt() -> Reply:
            call = method(request_message, timeout=_remaining(deadline), metadata=grpc_metadata,
                          wait_for_ready=self._wait_for_ready)
            try:
                response = await call
                return Reply(response, _metadata_pairs(await call.initial_metadata()),
                             _metadata_pairs(await call.trailing_metadata()))
            except grpc.aio.AioRpcError as error:
                raise _error(error) from None

        return await self.retry.run_async(attempt, method_path, pairs, deadline)

    async def stream(self, method_path: str, request: Message, response_class: Type[M],
                     metadata: MetadataLike = None, timeout: Optional[float] = None,
                     traceparent: Optional[str] = None) -> AsyncIterator[M]:
        import asyncio

        import grpc.aio
        deadline = deadline_after(timeout)
        pairs = normalize_metadata(metadata)
        grpc_metadata = _grpc_metadata(pairs, traceparent)
        method = self._get_channel().unary_stream(method_path, request_serializer=_serialize,
                                                  response_deserializer=response_class.FromString)
        attempt = 0
        while True:
            attempt += 1
            delivered = False
            call = method(request, timeout=_remaining(deadline), metadata=grpc_metadata,
                          wait_for_ready=self._wait_for_ready)
            try:
                async for message in call:
                    delivered = True
                    yield message
                return
            except grpc.aio.AioRpcError as error:
                failure = _error(error)
                delay = None if delivered else self.retry.next_delay(attempt, failure, method_path, pairs, deadline)
                if delay is None:
                    raise failure from None
            finally:
                call.cancel()
            await asyncio.sleep(delay)


def _serialize(message: Message) -> bytes:
    return message.SerializeToString()
