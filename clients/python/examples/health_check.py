#!/usr/bin/env python3
"""Is an AfterSale server (or one of its services) serving?

    python3 clients/python/examples/health_check.py unix:///run/aftersale/gateway.sock
    python3 clients/python/examples/health_check.py tcp://127.0.0.1:7000 aftersale.order.v1.OrderService

Exits 0 when SERVING, 1 otherwise (NOT_SERVING, unknown service, unreachable server).
"""

import os
import sys

sys.dont_write_bytecode = True
PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [PYTHON_DIR, os.path.join(PYTHON_DIR, "aftersale_pb")]

from aftersale.health.v1 import health_pb2  # noqa: E402
from aftersale_client import Client, RPCError, StatusCode  # noqa: E402


def main() -> int:
    if len(sys.argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    address = sys.argv[1]
    service = sys.argv[2] if len(sys.argv) == 3 else ""  # "" = the server as a whole
    try:
        with Client(address, timeout=3) as client:
            reply = client.call_detailed(
                "/aftersale.health.v1.Health/Check",
                health_pb2.HealthCheckRequest(service=service),
                health_pb2.HealthCheckResponse,
            )
    except RPCError as error:
        if error.code == StatusCode.NOT_FOUND:
            print(f"{service or 'server'}: unknown service", file=sys.stderr)
        else:
            print(f"{address}: {error}", file=sys.stderr)
        return 1
    status = health_pb2.HealthCheckResponse.ServingStatus.Name(reply.message.status)
    print(f"{service or 'server'}: {status} (request id {reply.trailer('x-request-id') or '-'})")
    return 0 if reply.message.status == health_pb2.HealthCheckResponse.SERVING else 1


if __name__ == "__main__":
    sys.exit(main())
