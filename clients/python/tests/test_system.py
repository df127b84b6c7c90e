"""The package against a real system (`aftersale up`: every service its own process, real Unix sockets): both
clients, errors with their details, deadlines, retries, and a gateway restarted between two calls."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import threading
import time
import uuid

import pytest

from aftersale import NO_RETRIES, AfterSaleClient, AsyncAfterSaleClient, RetryPolicy, RPCError, StatusCode
from aftersale.gateway.v1 import gateway_pb2
from aftersale.health.v1 import health_pb2
from aftersale.order.v1 import order_pb2

CHECK = health_pb2.HealthCheckRequest()


def open_request(customer: str, order: str, line: str) -> gateway_pb2.OpenCaseRequest:
    return gateway_pb2.OpenCaseRequest(
        order_id=order, customer_id=customer, kind=order_pb2.CASE_KIND_RETURN_REFUND,
        lines=[order_pb2.OpenCaseLine(order_line_id=line, quantity=1, reason=order_pb2.REASON_CODE_SIZE_FIT,
                                      requested_resolution=order_pb2.RESOLUTION_REFUND)])


class Retries:
    """A retry policy that records every retry it decides on."""

    def __init__(self, **options):
        self.seen = []
        self.policy = RetryPolicy(on_retry=lambda attempt, error, delay: self.seen.append((attempt, error.code)),
                                  **options)


# ------------------------------------------------------------------------------------------------ calls

def test_the_sync_client_opens_reads_and_lists_a_case(seeded_system):
    token = seeded_system.token("customer", "cus_de_anna")
    key = f"open:{uuid.uuid4()}"
    with AfterSaleClient(seeded_system.gateway, token=token, timeout=30) as client:
        opened = client.open_case(open_request("cus_de_anna", "ord_seed_de_anna_1", "ord_seed_de_anna_1_l1"),
                                  idempotency_key=key)
        case = opened.after_sale_case
        assert case.id.startswith("case_") and case.customer_id == "cus_de_anna"
        again = client.open_case(open_request("cus_de_anna", "ord_seed_de_anna_1", "ord_seed_de_anna_1_l1"),
                                 idempotency_key=key)
        assert again.after_sale_case.id == case.id  # the same key: the first outcome, no second case
        read = client.get_case(gateway_pb2.GetCaseRequest(case_id=case.id), timeout=5)
        assert read.after_sale_case.version == case.version
        listed = client.list_cases(gateway_pb2.ListCasesRequest(customer_id="cus_de_anna"))
        assert case.id in [c.id for c in listed.cases]
        by_name = client.call("aftersale.gateway.v1.AfterSaleGateway.GetCase",
                              gateway_pb2.GetCaseRequest(case_id=case.id))
        assert isinstance(by_name, gateway_pb2.CaseView) and by_name.after_sale_case.id == case.id
        assert client.health_check(CHECK).status == health_pb2.HealthCheckResponse.SERVING


def test_the_async_client_runs_calls_at_once_on_one_connection_and_streams(seeded_system):
    token = seeded_system.token("customer", "cus_de_lea")

    async def run():
        async with AsyncAfterSaleClient(seeded_system.gateway, token=token, timeout=30) as client:
            opened = await client.open_case(open_request("cus_de_lea", "ord_seed_de_lea_1", "ord_seed_de_lea_1_l2"),
                                            idempotency_key=f"open:{uuid.uuid4()}")
            case_id = opened.after_sale_case.id
            connection = client._client._connection
            views = await asyncio.gather(*[client.get_case(gateway_pb2.GetCaseRequest(case_id=case_id))
                                           for _ in range(8)], client.health_check(CHECK))
            assert [v.after_sale_case.id for v in views[:8]] == [case_id] * 8
            assert views[8].status == health_pb2.HealthCheckResponse.SERVING
            assert client._client._connection is connection and connection.last_stream_id == 10  # one connection
            async for event in client.watch_case(gateway_pb2.WatchCaseRequest(case_id=case_id), timeout=10):
                assert event.entry.case_id == case_id and event.entry.sequence == 1
                break
            return connection

    assert asyncio.run(run()).closed  # by `async with`


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_errors_carry_their_code_message_and_decoded_details(seeded_system, flavour):
    token = seeded_system.token()
    unknown = gateway_pb2.GetCaseRequest(case_id="case_does_not_exist")
    invalid = gateway_pb2.OpenCaseRequest()

    def sync():
        with AfterSaleClient(seeded_system.gateway, token=token) as client:
            return [capture(lambda: client.get_case(unknown)), capture(lambda: client.open_case(invalid))]

    async def asynchronous():
        async with AsyncAfterSaleClient(seeded_system.gateway, token=token) as client:
            return [await capture_async(client.get_case(unknown)), await capture_async(client.open_case(invalid))]

    not_found, invalid_argument = sync() if flavour == "sync" else asyncio.run(asynchronous())
    assert not_found.code == StatusCode.NOT_FOUND and "case_does_not_exist" in not_found.message
    assert not_found.details.reason == "NOT_FOUND" and not_found.details.resource == "case/case_does_not_exist"
    assert not_found.trailer("x-request-id")
    assert invalid_argument.code == StatusCode.INVALID_ARGUMENT
    assert invalid_argument.details.reason == "VALIDATION_FAILED"
    assert {v.field for v in invalid_argument.details.field_violations} >= {"order_id", "customer_id", "lines"}


def test_a_call_without_a_token_is_unauthenticated(seeded_system):
    with AfterSaleClient(seeded_system.gateway) as client:
        error = capture(lambda: client.get_case(gateway_pb2.GetCaseRequest(case_id="case_x")))
    assert error.code == StatusCode.UNAUTHENTICATED


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_a_deadline_that_expires_ends_the_call_with_deadline_exceeded(seeded_system, flavour):
    """On a connection made before the gateway stopped answering, and on one that cannot finish its handshake:
    either way the call's own deadline (0.5 s) ends it, not the client's connect timeout (5 s)."""
    token = seeded_system.token()
    request = gateway_pb2.GetCaseRequest(case_id="case_x")

    def sync():
        with AfterSaleClient(seeded_system.gateway, token=token, timeout=5) as warm, \
                AfterSaleClient(seeded_system.gateway, token=token, timeout=5) as cold:
            warm.health_check(CHECK)
            with stopped(seeded_system):
                return [timed(lambda: capture(lambda: client.get_case(request, timeout=0.5)))
                        for client in (warm, cold)]

    async def asynchronous():
        async with AsyncAfterSaleClient(seeded_system.gateway, token=token, timeout=5) as warm, \
                AsyncAfterSaleClient(seeded_system.gateway, token=token, timeout=5) as cold:
            await warm.health_check(CHECK)
            with stopped(seeded_system):
                results = []
                for client in (warm, cold):
                    started = time.monotonic()
                    error = await capture_async(client.get_case(request, timeout=0.5))
                    results.append((error, time.monotonic() - started))
                return results

    for error, elapsed in (sync() if flavour == "sync" else asyncio.run(asynchronous())):
        assert error.code == StatusCode.DEADLINE_EXCEEDED, error
        assert 0.45 <= elapsed < 2.5, elapsed


@contextlib.contextmanager
def stopped(system):
    """The gateway stopped (SIGSTOP): its socket takes connections and bytes, nothing answers."""
    pid = system.kill_gateway(signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


def timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


# ------------------------------------------------------------------------------------------------ recovery

@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGTERM], ids=["killed", "terminated"])
def test_a_sync_call_after_the_gateway_restarted_succeeds_with_retries_off(fresh_system, stop):
    retries = Retries(max_attempts=1)
    with AfterSaleClient(fresh_system.gateway, retry=retries.policy) as client:
        assert client.health_check(CHECK).status == health_pb2.HealthCheckResponse.SERVING
        fresh_system.restart_gateway(stop)
        assert client.health_check(CHECK).status == health_pb2.HealthCheckResponse.SERVING
    assert retries.seen == []  # not a policy retry: the call never left the client on the dead connection


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGTERM], ids=["killed", "terminated"])
def test_an_async_call_after_the_gateway_restarted_succeeds_with_retries_off(fresh_system, stop):
    async def run():
        async with AsyncAfterSaleClient(fresh_system.gateway, retry=NO_RETRIES) as client:
            assert (await client.health_check(CHECK)).status == health_pb2.HealthCheckResponse.SERVING
            await asyncio.get_running_loop().run_in_executor(None, fresh_system.restart_gateway, stop)
            assert (await client.health_check(CHECK)).status == health_pb2.HealthCheckResponse.SERVING

    asyncio.run(run())


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_with_wait_for_ready_a_call_made_while_the_gateway_is_down_waits_for_it(fresh_system, flavour):
    """No waiting for the restart here: the call is made as soon as the gateway is dead (`up` saw it exit), and
    rides out the ~0.5 s `up` takes to bring it back, reconnecting with backoff (retries off: nothing is sent
    meanwhile)."""
    def dead(old, mark):
        fresh_system.wait_for(lambda line: line.startswith("gateway") and "exited" in line, start=mark)

    if flavour == "sync":
        with AfterSaleClient(fresh_system.gateway, retry=NO_RETRIES, wait_for_ready=20) as client:
            client.health_check(CHECK)
            mark = len(fresh_system.lines)
            old = fresh_system.kill_gateway(signal.SIGKILL)
            dead(old, mark)
            status = client.health_check(CHECK, timeout=30).status
    else:
        async def run():
            async with AsyncAfterSaleClient(fresh_system.gateway, retry=NO_RETRIES, wait_for_ready=20) as client:
                await client.health_check(CHECK)
                mark = len(fresh_system.lines)
                old = fresh_system.kill_gateway(signal.SIGKILL)
                dead(old, mark)
                return mark, old, (await client.health_check(CHECK, timeout=30)).status
        mark, old, status = asyncio.run(run())
    assert status == health_pb2.HealthCheckResponse.SERVING
    fresh_system.wait_for_new_gateway(old, mark)  # it was the restarted gateway that answered


def lose_connection_mid_call(system, call):
    """Runs ``call`` while the gateway is stopped (the call is written, never answered), then kills the gateway:
    the call's connection breaks after the call left the client. Returns the call's outcome."""
    outcome = {}
    pid = system.kill_gateway(signal.SIGSTOP)
    mark = len(system.lines)

    def run():
        try:
            outcome["value"] = call()
        except RPCError as error:
            outcome["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(0.5)  # the CALL is in the stopped gateway's socket buffer
    os.kill(pid, signal.SIGKILL)
    thread.join(30)
    assert not thread.is_alive()
    system.wait_for_new_gateway(pid, mark)
    return outcome


def test_an_idempotent_call_is_retried_with_backoff_when_the_connection_is_lost(fresh_system):
    retries = Retries(max_attempts=20, initial_backoff=0.1, max_backoff=1.0)
    with AfterSaleClient(fresh_system.gateway, token=fresh_system.token(), retry=retries.policy,
                         timeout=30) as client:
        client.health_check(CHECK)
        outcome = lose_connection_mid_call(
            fresh_system, lambda: client.get_case(gateway_pb2.GetCaseRequest(case_id="case_x")))
    # GetCase is NO_SIDE_EFFECTS: retried (connection lost, then refused while `up` restarts the gateway) until
    # the new gateway answered — NOT_FOUND, as there is no such case.
    assert outcome["error"].code == StatusCode.NOT_FOUND, outcome
    assert retries.seen and all(code == StatusCode.UNAVAILABLE for _, code in retries.seen)
    assert outcome["error"].attempts == len(retries.seen) + 1


def test_a_call_that_is_not_idempotent_is_not_retried_when_the_connection_is_lost(fresh_system):
    retries = Retries(max_attempts=20, initial_backoff=0.1, max_backoff=1.0)
    with AfterSaleClient(fresh_system.gateway, token=fresh_system.token(), retry=retries.policy,
                         timeout=30) as client:
        client.health_check(CHECK)
        outcome = lose_connection_mid_call(
            fresh_system, lambda: client.open_case(open_request("cus_x", "ord_x", "ord_x_l1")))
    error = outcome["error"]
    assert error.code == StatusCode.UNAVAILABLE and not error.unprocessed, error
    assert retries.seen == [] and error.attempts == 1


# ------------------------------------------------------------------------------------------------ helpers

def capture(call) -> RPCError:
    with pytest.raises(RPCError) as caught:
        call()
    return caught.value


async def capture_async(awaitable) -> RPCError:
    with pytest.raises(RPCError) as caught:
        await awaitable
    return caught.value
