#!/usr/bin/env python3
"""How another backend calls the AfterSale gateway: credentials, an idempotency key on a mutating call, a
deadline, tracing, and structured errors.

    python3 clients/python/examples/gateway_cancel_case.py unix:///run/aftersale/gateway.sock case_123 TOKEN
"""

import sys
import uuid

from aftersale import AfterSaleClient, RPCError, StatusCode
from aftersale.common.v1 import common_pb2
from aftersale.gateway.v1 import gateway_pb2
from aftersale.order.v1 import order_pb2

CANCEL_CASE = "aftersale.gateway.v1.AfterSaleGateway.CancelCase"


def main() -> int:
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    address, case_id, token = sys.argv[1:]

    with AfterSaleClient(address, token=token, timeout=5) as client:
        # A read: NO_SIDE_EFFECTS in the .proto, so the client retries it by itself on UNAVAILABLE.
        view = client.get_case(gateway_pb2.GetCaseRequest(case_id=case_id), timeout=2)
        case = view.after_sale_case
        print(f"case {case.id}: {order_pb2.CaseStatus.Name(case.status)}, version {case.version}")

        # A write: one idempotency key per logical operation, kept across retries (and process restarts, if
        # the caller stores it), so the gateway cancels the case at most once.
        key = f"cancel:{case_id}:{uuid.uuid4()}"
        request = gateway_pb2.CancelCaseRequest(
            case_id=case_id, expected_version=case.version, reason="customer changed their mind",
            actor=common_pb2.Actor(kind=common_pb2.ACTOR_KIND_SERVICE, id="shop-backend"))
        try:
            # call_detailed (by method name) also returns the trailers, e.g. the request id the server logged.
            reply = client.call_detailed(CANCEL_CASE, request, idempotency_key=key, timeout=5,
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
        cancelled: gateway_pb2.CaseView = reply.message
        print(f"cancelled: {order_pb2.CaseStatus.Name(cancelled.after_sale_case.status)} "
              f"(request id {reply.trailer('x-request-id')})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
