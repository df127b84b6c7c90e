#!/usr/bin/env python3
"""Follow a server's health (the server-streaming Health/Watch) until interrupted or N changes were seen.

    python3 clients/python/examples/watch_health.py unix:///run/aftersale/order.sock [SERVICE] [--count N]
"""

import os
import sys

sys.dont_write_bytecode = True
PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [PYTHON_DIR, os.path.join(PYTHON_DIR, "aftersale_pb")]

from aftersale.health.v1 import health_pb2  # noqa: E402
from aftersale_client import Client, RPCError  # noqa: E402


def main() -> int:
    args = sys.argv[1:]
    count = None
    if "--count" in args:
        i = args.index("--count")
        count = int(args[i + 1])
        del args[i:i + 2]
    if len(args) not in (1, 2):
        print(__doc__, file=sys.stderr)
        return 2
    request = health_pb2.HealthCheckRequest(service=args[1] if len(args) == 2 else "")
    name = health_pb2.HealthCheckResponse.ServingStatus.Name
    try:
        # keepalive: a silent server is pinged after 30 s; a dead one is noticed 10 s later.
        with Client(args[0], timeout=3) as client:
            seen = 0
            for response in client.stream("/aftersale.health.v1.Health/Watch", request,
                                          health_pb2.HealthCheckResponse):
                print(name(response.status), flush=True)
                seen += 1
                if count is not None and seen >= count:
                    break  # leaving the loop sends CANCEL
    except RPCError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
