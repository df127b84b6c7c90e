"""AfterSale's Python client: typed sync and asyncio calls over the native protocol or gRPC.

    from aftersale import AfterSaleClient, RPCError
    from aftersale.gateway.v1 import gateway_pb2

    with AfterSaleClient("unix:///run/aftersale/gateway.sock", token=token) as client:
        view = client.get_case(gateway_pb2.GetCaseRequest(case_id="case_123"), timeout=2)

``AsyncAfterSaleClient`` is the same for asyncio. The generated message modules are subpackages:
``aftersale.<service>.v1.<service>_pb2``. See clients/python/README.md.
"""

from aftersale._calls import CallOptions
from aftersale.aio import AsyncAfterSaleClient
from aftersale.client import AfterSaleClient, Transport
from aftersale.errors import RPCError, StatusCode
from aftersale.methods import METHODS, MethodInfo, is_idempotent
from aftersale.native import Reply
from aftersale.retry import NO_RETRIES, RetryPolicy

__all__ = [
    "AfterSaleClient", "AsyncAfterSaleClient", "CallOptions", "RPCError", "StatusCode", "RetryPolicy", "NO_RETRIES",
    "Reply", "Transport", "METHODS", "MethodInfo", "is_idempotent",
]
__version__ = "0.1.0"
