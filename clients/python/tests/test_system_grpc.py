"""The gRPC transport against the gateway's standard gRPC listener (docs/PROTOCOL.md §21), in the same real system
as test_system.py: typed calls sync and asyncio, error details from `grpc-status-details-bin`, deadlines, a server
stream, and a gateway restart. Skipped when this build's `aftersale up` prints no gRPC address."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import time
import uuid

import pytest

from aftersale import NO_RETRIES, AfterSaleClient, AsyncAfterSaleClient, StatusCode
from aftersale.gateway.v1 import gateway_pb2
from system import start_system, up_accepts
from test_system import capture, capture_async, open_request, stopped


def grpc_address(system) -> str:
    if system.gateway_grpc is None:
        pytest.skip("this aftersale build has no gRPC listener")
    return system.gateway_grpc


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_the_gateway_over_grpc_opens_reads_and_watches_a_case(seeded_system, flavour):
    address = grpc_address(seeded_system)
    customer, order, line = {"sync": ("cus_us_david", "ord_seed_us_david_1", "ord_seed_us_david_1_l1"),
                             "async": ("cus_cn_li", "ord_seed_cn_li_1", "ord_seed_cn_li_1_l1")}[flavour]
    token = seeded_system.token("customer", customer)
    key = f"open:{uuid.uuid4()}"

    def sync():
        with AfterSaleClient(address, token=token, timeout=30) as client:
            opened = client.open_case(open_request(customer, order, line), idempotency_key=key)
            again = client.open_case(open_request(customer, order, line), idempotency_key=key)
            read = client.call_detailed("aftersale.gateway.v1.AfterSaleGateway.GetCase",
                                        gateway_pb2.GetCaseRequest(case_id=opened.after_sale_case.id))
            first = next(iter(client.watch_case(gateway_pb2.WatchCaseRequest(case_id=opened.after_sale_case.id),
                                                timeout=10)))
            return opened, again, read, first

    async def asynchronous():
        async with AsyncAfterSaleClient(address, token=token, timeout=30) as client:
            opened = await client.open_case(open_request(customer, order, line), idempotency_key=key)
            again, read = await asyncio.gather(
                client.open_case(open_request(customer, order, line), idempotency_key=key),
                client.call_detailed("aftersale.gateway.v1.AfterSaleGateway.GetCase",
                                     gateway_pb2.GetCaseRequest(case_id=opened.after_sale_case.id)))
            async for first in client.watch_case(gateway_pb2.WatchCaseRequest(case_id=opened.after_sale_case.id),
                                                 timeout=10):
                break
            return opened, again, read, first

    opened, again, read, first = sync() if flavour == "sync" else asyncio.run(asynchronous())
    case_id = opened.after_sale_case.id
    assert case_id.startswith("case_") and again.after_sale_case.id == case_id
    assert read.message.after_sale_case.id == case_id and read.trailer("x-request-id")
    assert first.entry.case_id == case_id and first.entry.sequence == 1


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_grpc_errors_carry_the_decoded_error_details(seeded_system, flavour):
    address = grpc_address(seeded_system)
    token = seeded_system.token()

    def sync():
        with AfterSaleClient(address, token=token) as client:
            return [capture(lambda: client.get_case(gateway_pb2.GetCaseRequest(case_id="case_nope"))),
                    capture(lambda: client.open_case(gateway_pb2.OpenCaseRequest()))]

    async def asynchronous():
        async with AsyncAfterSaleClient(address, token=token) as client:
            return [await capture_async(client.get_case(gateway_pb2.GetCaseRequest(case_id="case_nope"))),
                    await capture_async(client.open_case(gateway_pb2.OpenCaseRequest()))]

    not_found, invalid = sync() if flavour == "sync" else asyncio.run(asynchronous())
    assert not_found.code == StatusCode.NOT_FOUND and not_found.details.resource == "case/case_nope"
    assert invalid.code == StatusCode.INVALID_ARGUMENT and invalid.details.reason == "VALIDATION_FAILED"
    assert {v.field for v in invalid.details.field_violations} >= {"order_id", "lines"}


def test_a_grpc_deadline_that_expires_is_deadline_exceeded(seeded_system):
    address = grpc_address(seeded_system)
    with AfterSaleClient(address, token=seeded_system.token(), timeout=5) as client:
        client.list_cases(gateway_pb2.ListCasesRequest())  # connected before the gateway stops answering
        with stopped(seeded_system):
            started = time.monotonic()
            error = capture(lambda: client.get_case(gateway_pb2.GetCaseRequest(case_id="case_x"), timeout=0.5))
            elapsed = time.monotonic() - started
    assert error.code == StatusCode.DEADLINE_EXCEEDED and 0.45 <= elapsed < 2.5, (error, elapsed)


@pytest.fixture
def system_on_a_fixed_grpc_port():
    """A system whose gateway listens for gRPC on a port chosen here: `up` without --grpc-listen gives each start
    of the gateway a new free port, so a restarted gateway would not be where the client connects."""
    if not up_accepts("--grpc-listen"):
        pytest.skip("this aftersale build has no gRPC listener")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    system = start_system(seed=False, arguments=["--grpc-listen", f"tcp://127.0.0.1:{port}"])
    yield system, f"grpc://127.0.0.1:{port}"
    system.stop()
    shutil.rmtree(os.path.dirname(system.directory), ignore_errors=True)


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_a_grpc_call_after_the_gateway_restarted_succeeds_with_retries_off(system_on_a_fixed_grpc_port, flavour):
    """grpcio notices the dead connection, its channel goes idle, and the next call reconnects: no retry needed."""
    system, address = system_on_a_fixed_grpc_port
    token = system.token()
    if flavour == "sync":
        with AfterSaleClient(address, token=token, retry=NO_RETRIES, timeout=30) as client:
            client.list_cases(gateway_pb2.ListCasesRequest())
            system.restart_gateway(signal.SIGKILL)
            client.list_cases(gateway_pb2.ListCasesRequest())
    else:
        async def run():
            async with AsyncAfterSaleClient(address, token=token, retry=NO_RETRIES, timeout=30) as client:
                await client.list_cases(gateway_pb2.ListCasesRequest())
                await asyncio.get_running_loop().run_in_executor(None, system.restart_gateway, signal.SIGKILL)
                await client.list_cases(gateway_pb2.ListCasesRequest())
        asyncio.run(run())
