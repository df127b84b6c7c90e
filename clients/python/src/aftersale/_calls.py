"""What the typed methods of :mod:`aftersale._services` call: per-call options, and the two abstract call
shapes each client (sync, asyncio) implements over whichever transport it uses."""

from __future__ import annotations

from typing import AsyncIterator, Iterator, Optional, Type, TypedDict, TypeVar

from google.protobuf.message import Message

from aftersale._wire import MetadataLike

M = TypeVar("M", bound=Message)


class CallOptions(TypedDict, total=False):
    """Keyword options of every call.

    ``timeout``: seconds until the call's deadline (None: no deadline; default: the client's ``timeout`` for
    unary calls, none for streams). ``metadata``: extra metadata. ``idempotency_key``: sent as
    ``idempotency-key``; makes a mutating call safe to retry. ``traceparent``: a W3C trace context to join.
    """

    timeout: Optional[float]
    metadata: MetadataLike
    idempotency_key: str
    traceparent: str


class SyncCalls:
    def _unary(self, method: str, request: Message, response_class: Type[M], options: CallOptions) -> M:
        raise NotImplementedError

    def _server_stream(self, method: str, request: Message, response_class: Type[M],
                       options: CallOptions) -> Iterator[M]:
        raise NotImplementedError


class AsyncCalls:
    async def _unary(self, method: str, request: Message, response_class: Type[M], options: CallOptions) -> M:
        raise NotImplementedError

    def _server_stream(self, method: str, request: Message, response_class: Type[M],
                       options: CallOptions) -> AsyncIterator[M]:
        raise NotImplementedError
