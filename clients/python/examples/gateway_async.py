#!/usr/bin/env python3
"""The asyncio client: opens a return case, then reads it, the customer's cases and the gateway's health at once
(three calls in flight on one connection), then follows the case's timeline up to that status (server streaming).

    python3 clients/python/examples/gateway_async.py ADDRESS TOKEN CUSTOMER_ID ORDER_ID ORDER_LINE_ID

    python3 clients/python/examples/gateway_async.py unix://$PWD/var/run/gateway.sock \\
        "$(aftersale token --role customer --subject cus_de_anna --keys-file var/run/token.keys)" \\
        cus_de_anna ord_seed_de_anna_2 ord_seed_de_anna_2_l1

ADDRESS: unix:///path.sock or tcp://host:port (native protocol), grpc://host:port (gRPC).
"""

import asyncio
import sys
import uuid

from aftersale import AsyncAfterSaleClient, RPCError
from aftersale.gateway.v1 import gateway_pb2
from aftersale.health.v1 import health_pb2
from aftersale.order.v1 import order_pb2


async def run(address: str, token: str, customer_id: str, order_id: str, order_line_id: str) -> int:
    async with AsyncAfterSaleClient(address, token=token, timeout=10) as client:
        try:
            opened = await client.open_case(
                gateway_pb2.OpenCaseRequest(
                    order_id=order_id, customer_id=customer_id, kind=order_pb2.CASE_KIND_RETURN_REFUND,
                    lines=[order_pb2.OpenCaseLine(order_line_id=order_line_id, quantity=1,
                                                  reason=order_pb2.REASON_CODE_SIZE_FIT,
                                                  requested_resolution=order_pb2.RESOLUTION_REFUND)],
                    note="opened by clients/python/examples/gateway_async.py"),
                idempotency_key=f"open:{order_line_id}:{uuid.uuid4()}", timeout=30)
        except RPCError as error:
            print(f"OpenCase failed: {error}", file=sys.stderr)
            if error.details is not None:
                print(f"  reason: {error.details.reason}", file=sys.stderr)
            return 1
        case_id = opened.after_sale_case.id
        print(f"opened {case_id}: {order_pb2.CaseStatus.Name(opened.after_sale_case.status)}")

        view, cases, health = await asyncio.gather(
            client.get_case(gateway_pb2.GetCaseRequest(case_id=case_id), timeout=5),
            client.list_cases(gateway_pb2.ListCasesRequest(customer_id=customer_id), timeout=5),
            client.health_check(health_pb2.HealthCheckRequest(), timeout=2))
        print(f"read back {view.after_sale_case.id}, version {view.after_sale_case.version}")
        print(f"{customer_id} has {len(cases.cases)} case(s); gateway "
              f"{health_pb2.HealthCheckResponse.ServingStatus.Name(health.status)}")

        # The stored timeline first, then live changes until we stop: here, at the status we read back.
        events = 0
        async for event in client.watch_case(gateway_pb2.WatchCaseRequest(case_id=case_id), timeout=10):
            events += 1
            entry = event.entry
            print(f"timeline #{entry.sequence}: {order_pb2.CaseStatus.Name(entry.to_status)}")
            if entry.to_status == view.after_sale_case.status:
                break  # leaving the loop cancels the call
        print(f"{events} timeline event(s)")
    return 0


def main() -> int:
    if len(sys.argv) != 6:
        print(__doc__, file=sys.stderr)
        return 2
    return asyncio.run(run(*sys.argv[1:6]))


if __name__ == "__main__":
    sys.exit(main())
