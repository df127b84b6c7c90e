""":class:`AfterSaleClient`: typed, synchronous calls to AfterSale over the native protocol or gRPC."""

from __future__ import annotations

from typing import Any, Iterator, Literal, Optional, Sequence, Tuple, Type, TypeVar, Union, Unpack, overload

from google.protobuf.message import Message

from aftersale._calls import CallOptions
from aftersale._services import ServiceMethods
from aftersale._wire import MetadataLike, MetadataValue
from aftersale.grpc_transport import GrpcClient, grpc_target, is_grpc_address
from aftersale.methods import MethodInfo, method_info
from aftersale.native import _DEFAULT, Client, Reply
from aftersale.retry import RetryPolicy

__all__ = ["AfterSaleClient", "Transport", "resolve_transport", "call_metadata", "resolve_method"]

M = TypeVar("M", bound=Message)
Transport = Literal["native", "grpc"]


def resolve_transport(address: str, transport: Optional[Transport]) -> Tuple[Transport, str]:
    """Which transport an address means, and the address in that transport's terms. ``unix://``/``tcp://`` are
    the native protocol unless ``transport="grpc"`` says otherwise; ``grpc://``, ``grpcs://``, ``grpc+unix://``
    are gRPC."""
    if is_grpc_address(address):
        if transport == "native":
            raise ValueError(f"{address!r} is a gRPC address; the native protocol needs unix:// or tcp://")
        grpc_target(address)  # fail early on a malformed address
        return "grpc", address
    if transport == "grpc":
        if address.startswith("tcp://"):
            address = "grpc://" + address[len("tcp://"):]
        elif address.startswith("unix://"):
            address = "grpc+unix://" + address[len("unix://"):]
        grpc_target(address)
        return "grpc", address
    if transport not in (None, "native"):
        raise ValueError(f"transport {transport!r}: use 'native' or 'grpc'")
    return "native", address


def call_metadata(token: Optional[str], options: CallOptions) -> list[Tuple[str, MetadataValue]]:
    """The metadata of one call: the client's bearer token, the call's idempotency key and its own entries."""
    entries: list[Tuple[str, MetadataValue]] = []
    if token:
        entries.append(("authorization", f"Bearer {token}"))
    key = options.get("idempotency_key")
    if key:
        entries.append(("idempotency-key", key))
    extra: MetadataLike = options.get("metadata")
    if extra is not None:
        entries.extend(extra.items() if isinstance(extra, dict) else extra)  # type: ignore[arg-type]
    return entries


def resolve_method(method: str, request: Message, response_class: Optional[Type[Message]],
                   streaming: bool) -> Tuple[str, Type[Message]]:
    """The wire path and response class of ``method`` (``/pkg.Service/Method`` or ``pkg.Service.Method``), checked
    against the generated descriptors when the method is known."""
    info: Optional[MethodInfo] = method_info(method)
    if info is None:
        if response_class is None:
            raise ValueError(f"unknown method {method!r}: pass response_class=")
        return (method if method.startswith("/") else "/" + method), response_class
    if info.client_streaming or info.server_streaming != streaming:
        kind = "server-streaming" if info.server_streaming else "unary"
        raise ValueError(f"{info.path} is {'client-streaming' if info.client_streaming else kind}: use "
                         f"{'stream()' if info.server_streaming else 'call()'}")
    if not isinstance(request, info.request_class):
        raise TypeError(f"{info.path} takes {info.request_class.DESCRIPTOR.full_name}, "
                        f"not {request.DESCRIPTOR.full_name}")
    return info.path, response_class or info.response_class


class AfterSaleClient(ServiceMethods):
    """Typed, synchronous calls to one AfterSale address.

    ``address``: ``unix:///path.sock`` or ``tcp://host:port`` (the native protocol, docs/PROTOCOL.md), or
    ``grpc://host:port``, ``grpcs://host:port``, ``grpc+unix:///path.sock`` (gRPC); ``transport="grpc"`` sends a
    ``tcp://``/``unix://`` address over gRPC. ``token``: sent as ``authorization: Bearer <token>`` on every call
    (e.g. from ``aftersale token``; opaque to the client). ``timeout``: seconds; bounds connecting and is the
    default deadline of unary calls. ``retry``: :class:`aftersale.RetryPolicy` (default: 3 attempts, jittered
    exponential backoff, UNAVAILABLE only, idempotent calls only); ``RetryPolicy(max_attempts=1)`` turns retries
    off — a call that never left the client is still repeated once on a fresh connection. ``wait_for_ready``
    (seconds; None: fail fast): while the server cannot be reached, calls wait, reconnecting with jittered
    backoff, for up to that long (within their deadline) instead of failing at once.

    Each RPC of the gateway and of Health is a method (``get_case``, ``open_case``, ``watch_case``,
    ``health_check``, …) taking the request and the keyword options of :class:`aftersale.CallOptions`; ``call``
    and ``stream`` reach any method by name. Every failure raises :class:`aftersale.RPCError`.
    """

    def __init__(self, address: str, *, token: Optional[str] = None, timeout: Optional[float] = 10.0,
                 retry: Optional[RetryPolicy] = None, transport: Optional[Transport] = None,
                 wait_for_ready: Optional[float] = None, root_certificates: Optional[bytes] = None,
                 keepalive_interval: Optional[float] = 30.0, grpc_options: Sequence[Tuple[str, Any]] = ()):
        self.transport, self.address = resolve_transport(address, transport)
        self.token = token
        self.retry = retry if retry is not None else RetryPolicy()
        self._client: Union[Client, GrpcClient]
        if self.transport == "grpc":
            self._client = GrpcClient(self.address, timeout, retry=self.retry, root_certificates=root_certificates,
                                      options=grpc_options, wait_for_ready=wait_for_ready)
        else:
            self._client = Client(self.address, timeout, retry=self.retry, wait_for_ready=wait_for_ready,
                                  keepalive_interval=keepalive_interval, connect=False)

    def __enter__(self) -> "AfterSaleClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    @overload
    def call(self, method: str, request: Message, *, response_class: Type[M], **options: Unpack[CallOptions]) -> M: ...

    @overload
    def call(self, method: str, request: Message, **options: Unpack[CallOptions]) -> Message: ...

    def call(self, method: str, request: Message, *, response_class: Optional[Type[Message]] = None,
             **options: Unpack[CallOptions]) -> Message:
        """Any unary method by name, e.g. ``call("aftersale.order.v1.OrderService.GetOrder", request)``."""
        return self.call_detailed(method, request, response_class=response_class, **options).message  # type: ignore[no-any-return]

    def call_detailed(self, method: str, request: Message, *, response_class: Optional[Type[Message]] = None,
                      **options: Unpack[CallOptions]) -> Reply:
        """Like ``call``, with the response headers and trailers (``reply.trailer("x-request-id")``)."""
        path, response = resolve_method(method, request, response_class, streaming=False)
        return self._client.call_detailed(path, request, response, call_metadata(self.token, options),
                                          options.get("timeout", _DEFAULT), options.get("traceparent"))

    def stream(self, method: str, request: Message, *, response_class: Optional[Type[Message]] = None,
               **options: Unpack[CallOptions]) -> Iterator[Message]:
        """Any server-streaming method by name; iterate over the responses."""
        path, response = resolve_method(method, request, response_class, streaming=True)
        return self._client.stream(path, request, response, call_metadata(self.token, options),
                                   options.get("timeout"), options.get("traceparent"))

    def _unary(self, method: str, request: Message, response_class: Type[M], options: CallOptions) -> M:
        reply = self._client.call_detailed(method, request, response_class, call_metadata(self.token, options),
                                           options.get("timeout", _DEFAULT), options.get("traceparent"))
        message: M = reply.message
        return message

    def _server_stream(self, method: str, request: Message, response_class: Type[M],
                       options: CallOptions) -> Iterator[M]:
        return self._client.stream(method, request, response_class, call_metadata(self.token, options),
                                   options.get("timeout"), options.get("traceparent"))


