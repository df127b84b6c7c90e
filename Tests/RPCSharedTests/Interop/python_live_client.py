"""Drives a live AfterSale server with the native transport of clients/python (written from docs/PROTOCOL.md alone).

Usage: python_live_client.py ADDRESS. Prints one line per check: "ok NAME" or "FAIL NAME: why"; exits 1 on any failure.
"""
import os
import sys
import time

sys.dont_write_bytecode = True
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "clients", "python", "src"))

import aftersale.native as ac  # noqa: E402
from aftersale.common.v1 import common_pb2  # noqa: E402
from aftersale.health.v1 import health_pb2  # noqa: E402
from aftersale.reflection.v1 import reflection_pb2  # noqa: E402
from aftersale.testing.v1 import testing_pb2  # noqa: E402

ECHO = "/aftersale.testing.v1.Echo/"
failures = 0


def check(name, condition, why=""):
    global failures
    print(("ok " if condition else "FAIL ") + name + ("" if condition else f": {why}"), flush=True)
    failures += 0 if condition else 1


client = ac.Client(sys.argv[1], timeout=10)

status = client.call("/aftersale.health.v1.Health/Check", health_pb2.HealthCheckRequest(), health_pb2.HealthCheckResponse)
check("health", status.status == health_pb2.HealthCheckResponse.SERVING, str(status))

reply = client.call(ECHO + "Say", testing_pb2.EchoRequest(text="héllo"), testing_pb2.EchoResponse, metadata={"x-index": "4"})
check("unary", reply.text == "héllo" and reply.index == 4, str(reply))

try:
    client.call(ECHO + "Say", testing_pb2.EchoRequest(fail_code=9), testing_pb2.EchoResponse)
    check("error", False, "no error")
except ac.RPCError as error:
    details = error.details
    check("error", error.code == 9 and error.message == "asked to fail" and details is not None and details.reason == "TEST_FAILURE"
          and error.trailer("x-request-id"), f"{error.code} {error.message} {details}")

indices = [r.index for r in client.stream(ECHO + "Count", testing_pb2.EchoRequest(text="s", repeat=5), testing_pb2.EchoResponse)]
check("server streaming", indices == [0, 1, 2, 3, 4], str(indices))

joined = client.client_stream(ECHO + "Collect", [testing_pb2.EchoRequest(text=t) for t in "abc"], testing_pb2.EchoResponse).message
check("client streaming", joined.text == "a+b+c" and joined.index == 3, str(joined))

started = time.monotonic()
try:
    client.call(ECHO + "Say", testing_pb2.EchoRequest(sleep_millis=5000), testing_pb2.EchoResponse, timeout=0.2)
    check("deadline", False, "no error")
except ac.RPCError as error:
    check("deadline", error.code == ac.StatusCode.DEADLINE_EXCEEDED and time.monotonic() - started < 3, str(error))

try:
    client.call("/no.Such/Method", testing_pb2.EchoRequest(), testing_pb2.EchoResponse)
    check("unimplemented", False, "no error")
except ac.RPCError as error:
    check("unimplemented", error.code == ac.StatusCode.UNIMPLEMENTED, str(error))

services = client.call("/aftersale.reflection.v1.Reflection/ListServices", reflection_pb2.ListServicesRequest(),
                       reflection_pb2.ListServicesResponse)
check("reflection", "aftersale.testing.v1.Echo" in [s.name for s in services.services], str(services))

check("ping", client.ping(timeout=5) >= 0)
client.close()
sys.exit(1 if failures else 0)
