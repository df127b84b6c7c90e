#!/usr/bin/env python3
"""Opens a return case through the AfterSale gateway, as a storefront backend would for its customer, and prints
the CaseView the gateway answers with (summary, then the whole message as proto3 JSON).

    python3 clients/python/examples/gateway_open_case.py ADDRESS TOKEN CUSTOMER_ID ORDER_ID ORDER_LINE_ID [QUANTITY]

    python3 clients/python/examples/gateway_open_case.py unix://$PWD/var/run/gateway.sock \\
        "$(aftersale token --role customer --subject cus_de_anna --keys-file var/run/token.keys)" \\
        cus_de_anna ord_seed_de_anna_2 ord_seed_de_anna_2_l1

A customer token may only open cases on the customer's own orders; an agent or service token may open any.
ADDRESS may be a native (unix://, tcp://) or a gRPC (grpc://host:port) address.
"""

import sys
import uuid

from google.protobuf import json_format

from aftersale import AfterSaleClient, RPCError
from aftersale.common.v1 import common_pb2
from aftersale.customer.v1 import customer_pb2
from aftersale.gateway.v1 import gateway_pb2
from aftersale.order.v1 import order_pb2


def money(value: common_pb2.Money) -> str:
    """Minor units as a decimal, by integer arithmetic (two decimals; enough for EUR, USD and CNY)."""
    sign = "-" if value.minor_units < 0 else ""
    units, cents = divmod(abs(value.minor_units), 100)
    return f"{sign}{units}.{cents:02d} {value.currency}"


def main() -> int:
    if len(sys.argv) not in (6, 7):
        print(__doc__, file=sys.stderr)
        return 2
    address, token, customer_id, order_id, order_line_id = sys.argv[1:6]
    quantity = int(sys.argv[6]) if len(sys.argv) == 7 else 1

    request = gateway_pb2.OpenCaseRequest(
        order_id=order_id, customer_id=customer_id, kind=order_pb2.CASE_KIND_RETURN_REFUND,
        lines=[order_pb2.OpenCaseLine(order_line_id=order_line_id, quantity=quantity,
                                      reason=order_pb2.REASON_CODE_SIZE_FIT, reason_text="Too small",
                                      requested_resolution=order_pb2.RESOLUTION_REFUND)],
        note="opened by clients/python/examples/gateway_open_case.py")
    # One idempotency key per logical operation: a retry with the same key opens no second case, so the client
    # may retry this mutating call on UNAVAILABLE.
    key = f"open:{order_line_id}:{uuid.uuid4()}"

    with AfterSaleClient(address, token=token, timeout=5) as client:
        try:
            view = client.open_case(request, idempotency_key=key, timeout=30)
        except RPCError as error:
            print(f"OpenCase failed: {error}", file=sys.stderr)
            if error.details is not None:
                print(f"  reason: {error.details.reason}", file=sys.stderr)
                for violation in error.details.field_violations:
                    print(f"  {violation.field}: {violation.description}", file=sys.stderr)
            return error.code

    case = view.after_sale_case
    print(f"case {case.id}: {order_pb2.CaseStatus.Name(case.status)}, version {case.version}")
    if view.HasField("risk"):
        print(f"risk: {customer_pb2.RiskDecision.Name(view.risk.decision)} (score {view.risk.score})")
    if view.HasField("settlement"):
        print(f"refund if accepted: {money(view.settlement.refund_total.amount)}")
    print(json_format.MessageToJson(view))
    return 0


if __name__ == "__main__":
    sys.exit(main())
