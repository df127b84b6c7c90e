#!/usr/bin/env python3
"""Follow a server's health (the server-streaming Health/Watch) until interrupted or N changes were seen.

    python3 clients/python/examples/watch_health.py unix:///run/aftersale/order.sock [SERVICE] [--count N]
"""

import sys
from typing import Optional

from aftersale import AfterSaleClient, RPCError
from aftersale.health.v1 import health_pb2


def main() -> int:
    args = sys.argv[1:]
    count: Optional[int] = None
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
        # Over the native protocol a silent server is pinged after 30 s (keepalive); a dead one is noticed 10 s later.
        with AfterSaleClient(args[0], timeout=3) as client:
            seen = 0
            for response in client.health_watch(request):
                print(name(response.status), flush=True)
                seen += 1
                if count is not None and seen >= count:
                    break  # leaving the loop cancels the call
    except RPCError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
