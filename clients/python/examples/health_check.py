#!/usr/bin/env python3
"""Is an AfterSale server (or one of its services) serving?

    python3 clients/python/examples/health_check.py unix:///run/aftersale/gateway.sock
    python3 clients/python/examples/health_check.py tcp://127.0.0.1:7000 aftersale.order.v1.OrderService
    python3 clients/python/examples/health_check.py grpc://127.0.0.1:7443

Exits 0 when SERVING, 1 otherwise (NOT_SERVING, unknown service, unreachable server). Needs the package:
``pip install ./clients/python``.
"""

import sys

from aftersale import NO_RETRIES, AfterSaleClient, RPCError, StatusCode
from aftersale.health.v1 import health_pb2


def main() -> int:
    if len(sys.argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    address = sys.argv[1]
    service = sys.argv[2] if len(sys.argv) == 3 else ""  # "" = the server as a whole
    try:
        # A probe answers now or says why not: no retries, a short deadline.
        with AfterSaleClient(address, timeout=3, retry=NO_RETRIES) as client:
            response = client.health_check(health_pb2.HealthCheckRequest(service=service))
    except RPCError as error:
        if error.code == StatusCode.NOT_FOUND:
            print(f"{service or 'server'}: unknown service", file=sys.stderr)
        else:
            print(f"{address}: {error}", file=sys.stderr)
        return 1
    print(f"{service or 'server'}: {health_pb2.HealthCheckResponse.ServingStatus.Name(response.status)}")
    return 0 if response.status == health_pb2.HealthCheckResponse.SERVING else 1


if __name__ == "__main__":
    sys.exit(main())
