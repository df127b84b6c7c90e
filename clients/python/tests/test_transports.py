"""The package's transports without a system: transparent retry (sync and asyncio), the asyncio native transport
against fake servers on temporary Unix sockets, and the gRPC transport against a real grpcio server with a
generic handler. (The gateway itself is called in test_system.py.)"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from concurrent import futures

import grpc
import pytest

import aftersale.native as ac
from aftersale import NO_RETRIES, AfterSaleClient, AsyncAfterSaleClient, RetryPolicy, RPCError, StatusCode
from aftersale.client import resolve_method, resolve_transport
from aftersale.common.v1 import common_pb2
from aftersale.gateway.v1 import gateway_pb2
from aftersale.health.v1 import health_pb2
from aftersale.native_aio import AsyncClient
from test_framing import Peer, UnixServer, serving

CHECK = "/aftersale.health.v1.Health/Check"
WATCH = "/aftersale.health.v1.Health/Watch"
SERVING = health_pb2.HealthCheckResponse(status=health_pb2.HealthCheckResponse.SERVING)


def handshake_then(script):
    def run(peer, result):
        peer.handshake()
        script(peer, result)
    return run


def close_at_once(peer, result):
    """Answers nothing: the connection closes as soon as the script returns (a server going away while idle)."""
    result["closed"] = result.get("closed", 0) + 1


def reads_call_then_closes(peer, result):
    frame, _ = peer.read_call()
    result.setdefault("calls", []).append(frame)


# ------------------------------------------------------------------------------------------------ transparent retry

def test_a_call_written_to_a_connection_found_dead_is_sent_again_on_a_new_one_with_retries_off(monkeypatch):
    """The connection's EOF is not read before the write (poll() off): the write fails before any byte left,
    which proves the server never saw the call, so it goes out again on a fresh connection."""
    server = UnixServer([handshake_then(lambda p, r: (serving(p, r), close_at_once(p, r))), handshake_then(serving)])
    client = ac.Client(server.address, timeout=5, retry=NO_RETRIES)
    assert client.call(CHECK, health_pb2.HealthCheckRequest(), health_pb2.HealthCheckResponse).status == 1
    time.sleep(0.2)  # the server has closed the first connection
    monkeypatch.setattr(ac._Connection, "poll", lambda self: None)
    assert client.call(CHECK, health_pb2.HealthCheckRequest(), health_pb2.HealthCheckResponse).status == 1
    client.close()
    server.join()
    assert len(server.result["calls"]) == 2 and server.result["closed"] == 1


def test_a_dead_idle_connection_is_noticed_before_the_next_call_is_written():
    server = UnixServer([handshake_then(lambda p, r: (serving(p, r), close_at_once(p, r))), handshake_then(serving)])
    client = ac.Client(server.address, timeout=5, retry=NO_RETRIES)
    client.call(CHECK, health_pb2.HealthCheckRequest(), health_pb2.HealthCheckResponse)
    first = client._connection
    time.sleep(0.2)
    client.call(CHECK, health_pb2.HealthCheckRequest(), health_pb2.HealthCheckResponse)
    assert first.closed and "closed the connection" in first.close_reason and client._connection is not first
    client.close()
    server.join()


def test_a_call_that_reached_the_server_is_not_sent_again_with_retries_off():
    server = UnixServer([handshake_then(reads_call_then_closes)])
    client = ac.Client(server.address, timeout=5, retry=NO_RETRIES)
    with pytest.raises(RPCError) as caught:
        client.call("/aftersale.testing.v1.Echo/Say", health_pb2.HealthCheckRequest(), health_pb2.HealthCheckResponse)
    client.close()
    server.join()
    assert caught.value.code == StatusCode.UNAVAILABLE and not caught.value.unprocessed
    assert len(server.result["calls"]) == 1


def test_an_async_call_after_the_server_closed_an_idle_connection_succeeds_with_retries_off():
    server = UnixServer([handshake_then(lambda p, r: (serving(p, r), close_at_once(p, r))), handshake_then(serving)])

    async def run():
        async with AsyncClient(server.address, timeout=5, retry=NO_RETRIES) as client:
            for _ in range(2):
                response = await client.call(CHECK, health_pb2.HealthCheckRequest(), health_pb2.HealthCheckResponse)
                assert response.status == 1
                await asyncio.sleep(0.2)

    asyncio.run(run())
    server.join()
    assert len(server.result["calls"]) == 2


def test_an_async_write_that_fails_at_once_is_reported_as_not_sent():
    """asyncio's write() sends at once when nothing is buffered; when that send fails, not a byte went out."""
    server = UnixServer([handshake_then(close_at_once)])

    async def run():
        client = AsyncClient(server.address, timeout=5, retry=NO_RETRIES)
        connection = await client._connect()
        connection._task.cancel()  # nobody reads the EOF: as if the call came before the reader task ran
        await asyncio.sleep(0.3)
        outcomes = []
        for _ in range(3):  # the first writes may still land in the socket buffer; then the pipe breaks
            try:
                connection.start(CHECK, b"", [], 5, None)
            except RPCError as error:
                outcomes.append(error)
                break
        await client.close()
        return outcomes

    outcomes = asyncio.run(run())
    server.join()
    assert outcomes and outcomes[-1].unprocessed and outcomes[-1].code == StatusCode.UNAVAILABLE


def late_server(delay):
    """A Unix socket path that gets a serving fake server only ``delay`` seconds from now."""
    import os
    import tempfile
    directory = tempfile.TemporaryDirectory()
    path = os.path.join(directory.name, "late.sock")
    holder = {"stop": threading.Event()}

    def start():
        if holder["stop"].wait(delay):
            return  # the test is over before the server was due
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(path)
        listener.listen()
        listener.settimeout(5)
        sock, _ = listener.accept()
        with sock, listener:
            handshake_then(serving)(Peer(sock), holder)

    thread = threading.Thread(target=start, daemon=True)
    thread.start()
    return "unix://" + path, thread, directory, holder


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_wait_for_ready_rides_out_a_server_that_is_not_there_yet_and_fail_fast_does_not(flavour):
    address, thread, directory, holder = late_server(0.6)
    request = health_pb2.HealthCheckRequest()
    if flavour == "sync":
        with AfterSaleClient(address, retry=NO_RETRIES) as fast:
            with pytest.raises(RPCError) as caught:
                fast.health_check(request)
        started = time.monotonic()
        with AfterSaleClient(address, retry=NO_RETRIES, wait_for_ready=5) as patient:
            status = patient.health_check(request).status
    else:
        async def run():
            async with AsyncAfterSaleClient(address, retry=NO_RETRIES) as fast:
                with pytest.raises(RPCError) as caught:
                    await fast.health_check(request)
            async with AsyncAfterSaleClient(address, retry=NO_RETRIES, wait_for_ready=5) as patient:
                return caught, (await patient.health_check(request)).status
        started = time.monotonic()
        caught, status = asyncio.run(run())
    thread.join(5)
    directory.cleanup()
    assert caught.value.code == StatusCode.UNAVAILABLE and caught.value.unprocessed
    assert status == 1 and 0.4 < time.monotonic() - started < 4 and len(holder["calls"]) == 1


def test_wait_for_ready_ends_at_the_call_deadline():
    address, thread, directory, holder = late_server(3)
    started = time.monotonic()
    with AfterSaleClient(address, retry=NO_RETRIES, wait_for_ready=10) as client:
        with pytest.raises(RPCError) as caught:
            client.health_check(health_pb2.HealthCheckRequest(), timeout=0.5)
    elapsed = time.monotonic() - started
    holder["stop"].set()
    thread.join(5)
    directory.cleanup()
    assert caught.value.code in (StatusCode.UNAVAILABLE, StatusCode.DEADLINE_EXCEEDED) and elapsed < 1.5


# ------------------------------------------------------------------------------------------------ asyncio native

def test_async_calls_in_flight_at_once_are_matched_by_stream_id():
    def answer_in_reverse(peer, result):
        calls = [peer.read_call() for _ in range(3)]
        for frame, _ in reversed(calls):
            echo = health_pb2.HealthCheckRequest.FromString(frame.payload).service
            peer.send_status(frame.stream_id, payload=health_pb2.HealthCheckResponse(
                status=len(echo)).SerializeToString())

    server = UnixServer([handshake_then(answer_in_reverse)])

    async def run():
        async with AsyncClient(server.address, timeout=5) as client:
            return await asyncio.gather(*[
                client.call(CHECK, health_pb2.HealthCheckRequest(service="x" * n), health_pb2.HealthCheckResponse)
                for n in (1, 2, 3)])

    assert [r.status for r in asyncio.run(run())] == [1, 2, 3]
    server.join()


def test_an_async_deadline_fails_the_call_and_cancels_it_on_the_wire():
    def never_answers(peer, result):
        frame, header = peer.read_call()
        result["timeout_micros"] = header.timeout_micros
        cancel = peer.read()
        result["cancel"] = (cancel.type, cancel.stream_id == frame.stream_id)

    server = UnixServer([handshake_then(never_answers)])

    async def run():
        async with AsyncClient(server.address, timeout=5) as client:
            started = time.monotonic()
            with pytest.raises(RPCError) as caught:
                await client.call(CHECK, health_pb2.HealthCheckRequest(), health_pb2.HealthCheckResponse, timeout=0.3)
            await asyncio.sleep(0.1)  # let the CANCEL go out before closing
            return caught.value, time.monotonic() - started

    error, elapsed = asyncio.run(run())
    server.join()
    assert error.code == StatusCode.DEADLINE_EXCEEDED and 0.25 <= elapsed < 2
    assert 0 < server.result["timeout_micros"] <= 300_000
    assert server.result["cancel"] == (ac.FrameType.CANCEL, True)


def test_async_server_streaming_and_error_details():
    details = common_pb2.ErrorDetails(reason="TEST_FAILURE", resource="thing/1")

    def stream_then_fail(peer, result):
        frame, _ = peer.read_call()
        for status in (1, 2):
            peer.send(ac.FrameType.MESSAGE, 0, frame.stream_id, b"",
                      health_pb2.HealthCheckResponse(status=status).SerializeToString())
        peer.send_status(frame.stream_id)
        frame, _ = peer.read_call()
        peer.send_status(frame.stream_id, code=StatusCode.FAILED_PRECONDITION, message="no",
                         details=details.SerializeToString(), trailers=[("x-request-id", b"req-7")])

    server = UnixServer([handshake_then(stream_then_fail)])

    async def run():
        async with AsyncClient(server.address, timeout=5) as client:
            seen = [r.status async for r in client.stream(WATCH, health_pb2.HealthCheckRequest(),
                                                           health_pb2.HealthCheckResponse)]
            with pytest.raises(RPCError) as caught:
                await client.call(CHECK, health_pb2.HealthCheckRequest(), health_pb2.HealthCheckResponse)
            return seen, caught.value

    seen, error = asyncio.run(run())
    server.join()
    assert seen == [1, 2]
    assert (error.code, error.message, error.details, error.trailer("x-request-id")) == \
        (StatusCode.FAILED_PRECONDITION, "no", details, "req-7")


def test_an_async_call_refused_by_a_server_going_away_is_sent_again_on_a_new_connection():
    def refuse(peer, result):
        frame, _ = peer.read_call()
        peer.send_goaway(last_stream_id=0, message="restarting")
        result["refused"] = frame.stream_id

    server = UnixServer([handshake_then(refuse), handshake_then(serving)])

    async def run():
        async with AsyncClient(server.address, timeout=5, retry=RetryPolicy(max_attempts=2)) as client:
            return await client.call("/aftersale.testing.v1.Echo/Say", health_pb2.HealthCheckRequest(),
                                     health_pb2.HealthCheckResponse)

    assert asyncio.run(run()).status == 1  # not idempotent, but certainly not processed: safe to repeat
    server.join()


# ------------------------------------------------------------------------------------------------ typed API

def test_transports_follow_the_address_or_the_transport_argument():
    assert resolve_transport("unix:///x.sock", None) == ("native", "unix:///x.sock")
    assert resolve_transport("tcp://h:1", None) == ("native", "tcp://h:1")
    assert resolve_transport("grpc://h:1", None) == ("grpc", "grpc://h:1")
    assert resolve_transport("tcp://h:1", "grpc") == ("grpc", "grpc://h:1")
    assert resolve_transport("unix:///x.sock", "grpc") == ("grpc", "grpc+unix:///x.sock")
    for address, transport in (("grpc://h:1", "native"), ("grpc://h", None), ("http://h:1", None),
                               ("tcp://h:1", "carrier-pigeon")):
        with pytest.raises(ValueError):
            AfterSaleClient(address, transport=transport)  # type: ignore[arg-type]


def test_calls_by_name_check_the_request_type_and_the_method_shape():
    path, response = resolve_method("aftersale.gateway.v1.AfterSaleGateway.GetCase",
                                    gateway_pb2.GetCaseRequest(), None, streaming=False)
    assert (path, response) == ("/aftersale.gateway.v1.AfterSaleGateway/GetCase", gateway_pb2.CaseView)
    with pytest.raises(TypeError):
        resolve_method("/aftersale.gateway.v1.AfterSaleGateway/GetCase", gateway_pb2.ListCasesRequest(), None, False)
    with pytest.raises(ValueError):
        resolve_method("/aftersale.gateway.v1.AfterSaleGateway/WatchCase", gateway_pb2.WatchCaseRequest(), None, False)
    with pytest.raises(ValueError):
        resolve_method("/no.Such/Method", gateway_pb2.GetCaseRequest(), None, False)


def test_the_token_and_idempotency_key_travel_as_metadata():
    def record(peer, result):
        frame, header = peer.read_call()
        result["metadata"] = {e.key: e.value for e in header.metadata}
        peer.send_status(frame.stream_id, payload=gateway_pb2.CaseView().SerializeToString())

    server = UnixServer([handshake_then(record)])
    with AfterSaleClient(server.address, token="opaque.token", timeout=5) as client:
        client.cancel_case(gateway_pb2.CancelCaseRequest(case_id="case_1"), idempotency_key="k-1",
                           metadata={"x-extra": "1"})
    server.join()
    assert server.result["metadata"] == {"authorization": b"Bearer opaque.token", "idempotency-key": b"k-1",
                                         "x-extra": b"1"}


# ------------------------------------------------------------------------------------------------ gRPC

class GrpcServer:
    """A real grpcio server on 127.0.0.1:<free port>, answering Health/Check, Health/Watch and Echo/Say through
    a generic handler by ``behaviour(method, request, context)``."""

    def __init__(self, behaviour):
        self.calls = []
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        server = self

        class Handler(grpc.GenericRpcHandler):
            def service(self, details):
                method = details.method
                if method == WATCH:
                    def stream(request, context):
                        server.calls.append(method)
                        yield from behaviour(method, request, context)
                    return grpc.unary_stream_rpc_method_handler(
                        stream, health_pb2.HealthCheckRequest.FromString, lambda m: m.SerializeToString())

                def unary(request, context):
                    server.calls.append(method)
                    server.metadata = dict(context.invocation_metadata())
                    return behaviour(method, request, context)
                return grpc.unary_unary_rpc_method_handler(
                    unary, health_pb2.HealthCheckRequest.FromString, lambda m: m.SerializeToString())

        self.server.add_generic_rpc_handlers([Handler()])
        self.port = self.server.add_insecure_port("127.0.0.1:0")
        self.server.start()
        self.address = f"grpc://127.0.0.1:{self.port}"

    def stop(self):
        self.server.stop(None)


@pytest.fixture
def grpc_server():
    servers = []

    def start(behaviour):
        servers.append(GrpcServer(behaviour))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def test_grpc_unary_call_metadata_and_idempotent_retry(grpc_server):
    attempts = {"n": 0}

    def behaviour(method, request, context):
        attempts["n"] += 1
        if attempts["n"] <= 2:
            context.abort(grpc.StatusCode.UNAVAILABLE, "warming up")
        return SERVING

    server = grpc_server(behaviour)
    retried = []
    policy = RetryPolicy(max_attempts=5, initial_backoff=0.01, on_retry=lambda a, e, d: retried.append(e.code))
    with AfterSaleClient(server.address, token="t0k", retry=policy, timeout=5) as client:
        assert client.health_check(health_pb2.HealthCheckRequest()).status == 1
    assert retried == [StatusCode.UNAVAILABLE] * 2 and attempts["n"] == 3
    assert server.metadata["authorization"] == "Bearer t0k"


def test_grpc_non_idempotent_call_is_not_retried_but_one_with_a_key_is(grpc_server):
    def behaviour(method, request, context):
        context.abort(grpc.StatusCode.UNAVAILABLE, "down")

    server = grpc_server(behaviour)
    policy = RetryPolicy(max_attempts=3, initial_backoff=0.01)
    say = "/aftersale.testing.v1.Fake/Mutate"  # unknown to proto/, hence not idempotent
    with AfterSaleClient(server.address, retry=policy, timeout=5) as client:
        with pytest.raises(RPCError) as caught:
            client.call(say, health_pb2.HealthCheckRequest(), response_class=health_pb2.HealthCheckResponse)
        assert caught.value.code == StatusCode.UNAVAILABLE and caught.value.attempts == 1
        assert server.calls.count(say) == 1
        with pytest.raises(RPCError) as caught:
            client.call(say, health_pb2.HealthCheckRequest(), response_class=health_pb2.HealthCheckResponse,
                        idempotency_key="k")
        assert caught.value.attempts == 3 and server.calls.count(say) == 4


@pytest.mark.parametrize("trailer", ["aftersale-error-details-bin", "grpc-status-details-bin"])
def test_grpc_errors_decode_error_details(grpc_server, trailer):
    details = common_pb2.ErrorDetails(reason="VERSION_CONFLICT", resource="case/1", metadata={"expected": "4"})

    def behaviour(method, request, context):
        if trailer == "aftersale-error-details-bin":
            value = details.SerializeToString()
        else:  # google.rpc.Status{code=10, message, details=[Any(ErrorDetails)]}, encoded by hand
            from google.protobuf import any_pb2
            packed = any_pb2.Any()
            packed.Pack(details)
            any_bytes = packed.SerializeToString()
            value = b"\x08\x0a" + b"\x12\x02no" + b"\x1a" + bytes([len(any_bytes)]) + any_bytes
        context.set_trailing_metadata(((trailer, value), ("x-request-id", "req-9")))
        context.abort(grpc.StatusCode.ABORTED, "no")

    server = grpc_server(behaviour)
    with AfterSaleClient(server.address, timeout=5) as client:
        with pytest.raises(RPCError) as caught:
            client.health_check(health_pb2.HealthCheckRequest())
    error = caught.value
    assert (error.code, error.message, error.details, error.trailer("x-request-id")) == \
        (StatusCode.ABORTED, "no", details, "req-9")


def test_grpc_deadline_and_streaming_sync_and_async(grpc_server):
    release = threading.Event()

    def behaviour(method, request, context):
        if method == WATCH:
            return iter([health_pb2.HealthCheckResponse(status=s) for s in (1, 2, 3)])
        release.wait(5)
        return SERVING

    server = grpc_server(behaviour)
    with AfterSaleClient(server.address, timeout=5) as client:
        started = time.monotonic()
        with pytest.raises(RPCError) as caught:
            client.health_check(health_pb2.HealthCheckRequest(), timeout=0.3)
        assert caught.value.code == StatusCode.DEADLINE_EXCEEDED and time.monotonic() - started < 2
        assert [r.status for r in client.health_watch(health_pb2.HealthCheckRequest())] == [1, 2, 3]

    async def run():
        async with AsyncAfterSaleClient(server.address, timeout=5) as client:
            with pytest.raises(RPCError) as caught:
                await client.health_check(health_pb2.HealthCheckRequest(), timeout=0.3)
            statuses = [r.status async for r in client.health_watch(health_pb2.HealthCheckRequest())]
            release.set()
            ok = await client.health_check(health_pb2.HealthCheckRequest())
            return caught.value.code, statuses, ok.status

    assert asyncio.run(run()) == (StatusCode.DEADLINE_EXCEEDED, [1, 2, 3], 1)


def test_grpc_to_nothing_listening_is_unavailable(grpc_server):
    server = grpc_server(lambda m, r, c: SERVING)
    address = server.address
    server.stop()
    with AfterSaleClient(address, timeout=2, retry=NO_RETRIES) as client:
        with pytest.raises(RPCError) as caught:
            client.health_check(health_pb2.HealthCheckRequest())
    assert caught.value.code == StatusCode.UNAVAILABLE

