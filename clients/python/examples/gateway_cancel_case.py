#!/usr/bin/env python3
"""How another backend calls the AfterSale gateway: credentials, an idempotency key on a mutating call, a
deadline, tracing, and structured errors.

    python3 clients/python/examples/gateway_cancel_case.py unix:///run/aftersale/gateway.sock case_123 TOKEN
"""

import os
import sys
import uuid

sys.dont_write_bytecode = True
PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [PYTHON_DIR, os.path.join(PYTHON_DIR, "aftersale_pb")]

from aftersale.common.v1 import common_pb2  # noqa: E402
from aftersale.gateway.v1 import gateway_pb2  # noqa: E402
from aftersale.order.v1 import order_pb2  # noqa: E402
from aftersale_client import Client, RPCError, StatusCode  # noqa: E402

GATEWAY = "/aftersale.gateway.v1.AfterSaleGateway/"


def main() -> int:
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    address, case_id, token = sys.argv[1:]
    auth = {"authorization": f"Bearer {token}"}

    with Client(address, timeout=5) as client:
        # A read: idempotent in the .proto, so the client retries it by itself on UNAVAILABLE.
        view = client.call(GATEWAY + "GetCase", gateway_pb2.GetCaseRequest(case_id=case_id),
                           gateway_pb2.CaseView, metadata=auth, timeout=2)
        case = view.after_sale_case
        print(f"case {case.id}: {order_pb2.CaseStatus.Name(case.status)}, version {case.version}")

        # A write: one idempotency key per logical operation, kept across retries (and process restarts, if
        # the caller stores it), so the gateway cancels the case at most once.
        key = f"cancel:{case_id}:{uuid.uuid4()}"
        request = gateway_pb2.CancelCaseRequest(
            case_id=case_id, expected_version=case.version, reason="customer changed their mind",
            actor=common_pb2.Actor(kind=common_pb2.ACTOR_KIND_SERVICE, id="shop-backend"))
        try:
            reply = client.call_detailed(
                GATEWAY + "CancelCase", request, gateway_pb2.CaseView,
                metadata={**auth, "idempotency-key": key}, timeout=5,
                traceparent="00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        except RPCError as error:
            print(f"CancelCase failed: {error} (request id {error.trailer('x-request-id')})", file=sys.stderr)
            if error.details is not None:
                print(f"  reason: {error.details.reason}  resource: {error.details.resource}", file=sys.stderr)
                for violation in error.details.field_violations:
                    print(f"  {violation.field}: {violation.description}", file=sys.stderr)
            if error.code == StatusCode.ABORTED:
                print("  someone changed the case meanwhile: re-read it and decide again", file=sys.stderr)
            return 1
        print(f"cancelled: {order_pb2.CaseStatus.Name(reply.message.after_sale_case.status)} "
              f"(request id {reply.trailer('x-request-id')})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
