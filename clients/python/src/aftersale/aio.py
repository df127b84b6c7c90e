""":class:`AsyncAfterSaleClient`: :class:`aftersale.AfterSaleClient` for asyncio."""

from __future__ import annotations

from typing import Any, AsyncIterator, Optional, Sequence, Tuple, Type, TypeVar, Union, Unpack, overload

from google.protobuf.message import Message

from aftersale._calls import CallOptions
from aftersale._services import AsyncServiceMethods
from aftersale.client import Transport, call_metadata, resolve_method, resolve_transport
from aftersale.grpc_transport import AsyncGrpcClient
from aftersale.native import _DEFAULT, Reply
from aftersale.native_aio import AsyncClient
from aftersale.retry import RetryPolicy

__all__ = ["AsyncAfterSaleClient"]

M = TypeVar("M", bound=Message)


class AsyncAfterSaleClient(AsyncServiceMethods):
    """Typed asyncio calls to one AfterSale address: the options of :class:`aftersale.AfterSaleClient`, unary
    methods as coroutines (``await client.get_case(...)``), server-streaming ones as async iterators
    (``async for event in client.watch_case(...)``). The native transport runs on asyncio streams, gRPC on
    ``grpc.aio``; any number of calls may run at once on one client. Use it inside one event loop."""

    def __init__(self, address: str, *, token: Optional[str] = None, timeout: Optional[float] = 10.0,
                 retry: Optional[RetryPolicy] = None, transport: Optional[Transport] = None,
                 wait_for_ready: Optional[float] = None, root_certificates: Optional[bytes] = None,
                 keepalive_interval: Optional[float] = 30.0, grpc_options: Sequence[Tuple[str, Any]] = ()):
        self.transport, self.address = resolve_transport(address, transport)
        self.token = token
        self.retry = retry if retry is not None else RetryPolicy()
        self._client: Union[AsyncClient, AsyncGrpcClient]
        if self.transport == "grpc":
            self._client = AsyncGrpcClient(self.address, timeout, retry=self.retry,
                                           root_certificates=root_certificates, options=grpc_options,
                                           wait_for_ready=wait_for_ready)
        else:
            self._client = AsyncClient(self.address, timeout, retry=self.retry, wait_for_ready=wait_for_ready,
                                       keepalive_interval=keepalive_interval)

    async def __aenter__(self) -> "AsyncAfterSaleClient":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def connect(self) -> None:
        """Connects now instead of on the first call."""
        await self._client.connect()

    async def close(self) -> None:
        await self._client.close()

    @overload
    async def call(self, method: str, request: Message, *, response_class: Type[M],
                   **options: Unpack[CallOptions]) -> M: ...

    @overload
    async def call(self, method: str, request: Message, **options: Unpack[CallOptions]) -> Message: ...

    async def call(self, method: str, request: Message, *, response_class: Optional[Type[Message]] = None,
                   **options: Unpack[CallOptions]) -> Message:
        """Any unary method by name."""
        reply = await self.call_detailed(method, request, response_class=response_class, **options)
        return reply.message  # type: ignore[no-any-return]

    async def call_detailed(self, method: str, request: Message, *, response_class: Optional[Type[Message]] = None,
                            **options: Unpack[CallOptions]) -> Reply:
        path, response = resolve_method(method, request, response_class, streaming=False)
        return await self._client.call_detailed(path, request, response, call_metadata(self.token, options),
                                                options.get("timeout", _DEFAULT), options.get("traceparent"))

    def stream(self, method: str, request: Message, *, response_class: Optional[Type[Message]] = None,
               **options: Unpack[CallOptions]) -> AsyncIterator[Message]:
        """Any server-streaming method by name: ``async for response in client.stream(...)``."""
        path, response = resolve_method(method, request, response_class, streaming=True)
        return self._client.stream(path, request, response, call_metadata(self.token, options),
                                   options.get("timeout"), options.get("traceparent"))

    async def _unary(self, method: str, request: Message, response_class: Type[M], options: CallOptions) -> M:
        reply = await self._client.call_detailed(method, request, response_class,
                                                 call_metadata(self.token, options),
                                                 options.get("timeout", _DEFAULT), options.get("traceparent"))
        message: M = reply.message
        return message

    def _server_stream(self, method: str, request: Message, response_class: Type[M],
                       options: CallOptions) -> AsyncIterator[M]:
        return self._client.stream(method, request, response_class, call_metadata(self.token, options),
                                   options.get("timeout"), options.get("traceparent"))
