"""``python -m aftersale`` (or the ``aftersale-client`` command): health probes and reflection over the native
protocol.

    python -m aftersale health ADDR [SERVICE]   # prints SERVING etc.; exit 0 only when SERVING
    python -m aftersale watch ADDR [SERVICE]    # prints every status change (Health/Watch)
    python -m aftersale list ADDR               # services and methods, via reflection

From a checkout without installing: ``python3 clients/python/src/aftersale/__main__.py health ADDR``.
"""

from __future__ import annotations

import os
import sys
from typing import Optional, Sequence

if not __package__:  # run as a file from a checkout (python3 clients/python/src/aftersale/__main__.py): find the package
    sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sys.dont_write_bytecode = True

from aftersale.errors import RPCError
from aftersale.health.v1 import health_pb2
from aftersale.native import Client, parse_address
from aftersale.reflection.v1 import reflection_pb2

HEALTH_CHECK = "/aftersale.health.v1.Health/Check"
HEALTH_WATCH = "/aftersale.health.v1.Health/Watch"
LIST_SERVICES = "/aftersale.reflection.v1.Reflection/ListServices"

USAGE = """usage: python -m aftersale [--timeout SECONDS] COMMAND ADDR [ARGS]
  health ADDR [SERVICE]   the serving status (Health/Check); exit 0 only when SERVING
  watch ADDR [SERVICE]    every status change (Health/Watch) until interrupted
  list ADDR               services and methods (Reflection/ListServices)
ADDR is unix:///abs/path.sock or tcp://host:port"""


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    timeout = 5.0
    if len(args) >= 2 and args[0] == "--timeout":
        try:
            timeout = float(args[1])
        except ValueError:
            print(USAGE, file=sys.stderr)
            return 2
        args = args[2:]
    if len(args) < 2 or args[0] not in ("health", "watch", "list") or (args[0] == "list" and len(args) != 2) \
            or len(args) > 3:
        print(USAGE, file=sys.stderr)
        return 2
    command, address, rest = args[0], args[1], args[2:]
    try:
        parse_address(address)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    status_name = health_pb2.HealthCheckResponse.ServingStatus.Name
    try:
        with Client(address, timeout=timeout) as client:
            if command == "health":
                request = health_pb2.HealthCheckRequest(service=rest[0] if rest else "")
                response = client.call(HEALTH_CHECK, request, health_pb2.HealthCheckResponse)
                print(status_name(response.status))
                return 0 if response.status == health_pb2.HealthCheckResponse.SERVING else 1
            if command == "watch":
                request = health_pb2.HealthCheckRequest(service=rest[0] if rest else "")
                for response in client.stream(HEALTH_WATCH, request, health_pb2.HealthCheckResponse):
                    print(status_name(response.status), flush=True)
                return 0
            listing = client.call(LIST_SERVICES, reflection_pb2.ListServicesRequest(),
                                  reflection_pb2.ListServicesResponse)
            for service in sorted(listing.services, key=lambda s: s.name):
                print(service.name)
                for method in service.methods:
                    kind = " (server streaming)" if method.server_streaming else ""
                    kind = " (client streaming)" if method.client_streaming and not kind else kind
                    print(f"  {method.full_path}({method.input_type}) returns {method.output_type}{kind}")
            return 0
    except RPCError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
