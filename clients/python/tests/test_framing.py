"""Unit tests of the Python client's framing against docs/PROTOCOL.md; no live server: fake servers over
socketpair()/a temporary Unix socket, driven by a thread."""

import sys

sys.dont_write_bytecode = True  # leave no __pycache__ in the generated tree

import os
import socket
import struct
import tempfile
import threading
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON_DIR = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(PYTHON_DIR, "src"))

import aftersale.native as ac  # noqa: E402
from aftersale.__main__ import main as cli_main  # noqa: E402
from aftersale.common.v1 import common_pb2  # noqa: E402
from aftersale.health.v1 import health_pb2  # noqa: E402
from aftersale.reflection.v1 import reflection_pb2  # noqa: E402
from aftersale.rpc.v1 import rpc_pb2  # noqa: E402

PROTOCOL_MD = os.path.join(PYTHON_DIR, "..", "..", "docs", "PROTOCOL.md")

# The worked example of docs/PROTOCOL.md §17, byte for byte.
PREFACE_HEX = "4153525001000000"
SETTINGS_HEX = "000000141000000c00000000088080800210800818808001"
CALL_HEX = ("0000002b0101002300000001"
            "0a212f616674657273616c652e6865616c74682e76312e4865616c74682f436865636b")
STATUS_HEX = "0000000a04010000000000010801"
STATUS_WITH_TRAILER_HEX = ("000000210401001700000001"
                           "1a150a0c782d726571756573742d696412057265712d31"
                           "0801")

CHECK = "/aftersale.health.v1.Health/Check"
WATCH = "/aftersale.health.v1.Health/Watch"


# ------------------------------------------------------------------------------------------------ helpers

class OneByteSocket:
    """Delivers its data one byte per recv() call, then EOF."""

    def __init__(self, data: bytes):
        self.data = data
        self.calls = 0

    def recv(self, _n: int) -> bytes:
        self.calls += 1
        chunk, self.data = self.data[:1], self.data[1:]
        return chunk


class Peer:
    """The server end of a connection, for a fake server running in a thread."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.sock.settimeout(5)
        self.reader = ac.FrameReader(sock.recv, max_frame_size=ac.HARD_FRAME_SIZE_CAP)

    def expect_preface(self):
        data = b""
        while len(data) < 8:
            chunk = self.sock.recv(8 - len(data))
            assert chunk, "EOF before the preface"
            data += chunk
        assert data == ac.PREFACE

    def send(self, frame_type, flags=0, stream_id=0, meta=b"", payload=b""):
        self.sock.sendall(ac.encode_frame(frame_type, flags, stream_id, meta, payload))

    def send_settings(self, **fields):
        self.send(ac.FrameType.SETTINGS, meta=rpc_pb2.Settings(**fields).SerializeToString())

    def handshake(self, **settings):
        self.expect_preface()
        self.send_settings(**settings)

    def read(self, skip=(ac.FrameType.PING, ac.FrameType.SETTINGS)):
        """The next frame, answering PINGs and skipping SETTINGS unless asked not to."""
        while True:
            frame = self.reader.read_frame()
            if frame.type == ac.FrameType.PING and ac.FrameType.PING in skip:
                if not frame.flags & ac.FLAG_ACK:
                    self.send(ac.FrameType.PING, ac.FLAG_ACK, 0, b"", frame.payload)
                continue
            if frame.type in skip:
                continue
            return frame

    def read_call(self):
        frame = self.read()
        assert frame.type == ac.FrameType.CALL
        header = rpc_pb2.CallHeader.FromString(frame.meta)
        return frame, header

    def send_status(self, stream_id, code=0, message="", payload=b"", details=b"", trailers=(), flags=ac.FLAG_END_STREAM):
        status = rpc_pb2.Status(code=code, message=message, details=details,
                                trailers=[rpc_pb2.MetadataEntry(key=k, value=v) for k, v in trailers])
        self.send(ac.FrameType.STATUS, flags, stream_id, status.SerializeToString(), payload)

    def send_goaway(self, last_stream_id, code=0, message=""):
        goaway = rpc_pb2.GoAway(last_stream_id=last_stream_id, code=code, message=message)
        self.send(ac.FrameType.GOAWAY, 0, 0, goaway.SerializeToString())


class FakeServer:
    """Runs ``script(peer)`` in a thread on the server end of a socketpair; re-raises its failures on join."""

    def __init__(self, script):
        self.client_sock, server_sock = socket.socketpair()
        self.peer = Peer(server_sock)
        self.error = None
        self.result = {}

        def run():
            try:
                script(self.peer, self.result)
            except BaseException as error:  # noqa: BLE001 - reported by join()
                self.error = error

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def join(self):
        self.thread.join(5)
        assert not self.thread.is_alive(), "the fake server did not finish"
        self.peer.sock.close()
        if self.error is not None:
            raise self.error

    def client(self, **options):
        return ac.Client.from_socket(self.client_sock, timeout=options.pop("timeout", 5), **options)


def serving(peer, result, stream_id=1):
    frame, header = peer.read_call()
    result.setdefault("calls", []).append((frame, header))
    peer.send_status(frame.stream_id, payload=health_pb2.HealthCheckResponse(status=1).SerializeToString())


# ------------------------------------------------------------------------------------------------ encoding

def test_preface_bytes():
    assert ac.PREFACE.hex() == PREFACE_HEX


def test_worked_example_call_frame():
    meta = rpc_pb2.CallHeader(method=CHECK).SerializeToString()
    payload = health_pb2.HealthCheckRequest(service="").SerializeToString()
    assert payload == b""
    assert ac.encode_frame(ac.FrameType.CALL, ac.FLAG_END_STREAM, 1, meta, payload).hex() == CALL_HEX


def test_worked_example_settings_and_status():
    settings = rpc_pb2.Settings(max_frame_size=4194304, max_concurrent_streams=1024, max_meta_size=16384)
    assert ac.encode_frame(ac.FrameType.SETTINGS, 0, 0, settings.SerializeToString()).hex() == SETTINGS_HEX
    response = health_pb2.HealthCheckResponse(status=health_pb2.HealthCheckResponse.SERVING).SerializeToString()
    status = rpc_pb2.Status(code=0).SerializeToString()
    assert status == b""  # all defaults: meta_len 0
    assert ac.encode_frame(ac.FrameType.STATUS, ac.FLAG_END_STREAM, 1, status, response).hex() == STATUS_HEX
    trailed = rpc_pb2.Status(trailers=[rpc_pb2.MetadataEntry(key="x-request-id", value=b"req-1")])
    assert ac.encode_frame(ac.FrameType.STATUS, ac.FLAG_END_STREAM, 1, trailed.SerializeToString(),
                           response).hex() == STATUS_WITH_TRAILER_HEX


def test_worked_example_hex_is_in_protocol_md():
    with open(PROTOCOL_MD, encoding="utf-8") as f:
        text = f.read()
    for hex_string in (PREFACE_HEX, SETTINGS_HEX, CALL_HEX, STATUS_HEX, STATUS_WITH_TRAILER_HEX):
        assert hex_string in text, hex_string


def test_decode_worked_example():
    data = bytes.fromhex(SETTINGS_HEX + STATUS_HEX)
    reader = ac.FrameReader(OneByteSocket(data).recv)
    settings = reader.read_frame()
    assert (settings.type, settings.flags, settings.stream_id) == (ac.FrameType.SETTINGS, 0, 0)
    assert rpc_pb2.Settings.FromString(settings.meta).max_frame_size == 4 * 1024 * 1024
    status = reader.read_frame()
    assert (status.type, status.flags, status.stream_id, status.meta) == (ac.FrameType.STATUS, 1, 1, b"")
    assert health_pb2.HealthCheckResponse.FromString(status.payload).status == health_pb2.HealthCheckResponse.SERVING
    with pytest.raises(ac.ConnectionClosed):
        reader.read_frame()


def test_split_reads_one_byte_at_a_time():
    frames = [
        ac.Frame(ac.FrameType.CALL, ac.FLAG_END_STREAM, 1, rpc_pb2.CallHeader(method=CHECK).SerializeToString(), b""),
        ac.Frame(ac.FrameType.MESSAGE, 0, 3, b"", b"\x08\x02"),
        ac.Frame(ac.FrameType.PING, ac.FLAG_ACK, 0, b"", b"12345678"),
        ac.Frame(ac.FrameType.STATUS, ac.FLAG_END_STREAM, 0xFFFFFFFF, b"\x08\x05", b""),
    ]
    source = OneByteSocket(b"".join(ac.encode(f) for f in frames))
    reader = ac.FrameReader(source.recv)
    assert [reader.read_frame() for _ in frames] == frames
    assert source.calls >= sum(len(ac.encode(f)) for f in frames)


def test_timeout_in_the_middle_of_a_frame_loses_nothing():
    data = bytes.fromhex(STATUS_HEX)
    pieces = [data[:3], None, data[3:9], None, data[9:]]

    def recv(_n):
        piece = pieces.pop(0)
        if piece is None:
            raise socket.timeout()
        return piece

    reader = ac.FrameReader(recv)
    for _ in range(2):
        with pytest.raises(socket.timeout):
            reader.read_frame()
    assert ac.encode(reader.read_frame()) == data


@pytest.mark.parametrize("header, code", [
    (struct.pack(">IBBHI", 7, 2, 0, 0, 1), ac.GoAwayCode.PROTOCOL_ERROR),                   # length < 8
    (struct.pack(">IBBHI", 10, 2, 0, 3, 1) + b"xx", ac.GoAwayCode.PROTOCOL_ERROR),          # meta_len > length - 8
    (struct.pack(">IBBHI", 64 * 1024 * 1024 + 1, 2, 0, 0, 1), ac.GoAwayCode.FRAME_SIZE_ERROR),  # over the hard cap
])
def test_malformed_headers_are_connection_errors(header, code):
    with pytest.raises(ac.ProtocolError) as raised:
        ac.FrameReader(OneByteSocket(header).recv).read_frame()
    assert raised.value.code == code


def test_oversized_frame_is_skipped_and_reported():
    big = ac.encode_frame(ac.FrameType.MESSAGE, 0, 5, b"", b"x" * 100)
    after = ac.encode_frame(ac.FrameType.STATUS, ac.FLAG_END_STREAM, 5, b"", b"")
    reader = ac.FrameReader(OneByteSocket(big + after).recv, max_frame_size=50)
    skipped = reader.read_frame()
    assert skipped == ac.Oversized(ac.FrameType.MESSAGE, 5, 108)
    assert reader.read_frame().type == ac.FrameType.STATUS


def test_unknown_frame_type_decodes_and_reader_continues():
    data = ac.encode_frame(0x7E, 0x80, 0, b"meta", b"payload") + bytes.fromhex(STATUS_HEX)
    reader = ac.FrameReader(OneByteSocket(data).recv)
    assert reader.read_frame() == ac.Frame(0x7E, 0x80, 0, b"meta", b"payload")
    assert reader.read_frame().type == ac.FrameType.STATUS


@pytest.mark.parametrize("address, expected", [
    ("unix:///run/aftersale/order.sock", (socket.AF_UNIX, "/run/aftersale/order.sock")),
    ("tcp://127.0.0.1:7000", (socket.AF_UNSPEC, ("127.0.0.1", 7000))),
    ("tcp://[::1]:7000", (socket.AF_INET6, ("::1", 7000))),
    ("tcp://gateway.internal:443", (socket.AF_UNSPEC, ("gateway.internal", 443))),
])
def test_parse_address(address, expected):
    assert ac.parse_address(address) == expected


@pytest.mark.parametrize("address", ["unix://relative.sock", "tcp://host", "tcp://::1:7000", "tcp://:80",
                                     "http://x:1", "tcp://h:99999"])
def test_parse_address_rejects(address):
    with pytest.raises(ValueError):
        ac.parse_address(address)


# ------------------------------------------------------------------------------------------------ client

def test_unary_call_exact_bytes():
    def script(peer, result):
        peer.expect_preface()
        peer.sock.sendall(bytes.fromhex(SETTINGS_HEX))
        data = b""
        while len(data) < len(bytes.fromhex(CALL_HEX)):
            data += peer.sock.recv(4096)
        result["call"] = data
        peer.sock.sendall(bytes.fromhex(STATUS_HEX))

    server = FakeServer(script)
    client = server.client(keepalive_interval=None)
    response = client.call(CHECK, health_pb2.HealthCheckRequest(), health_pb2.HealthCheckResponse, timeout=None)
    assert response.status == health_pb2.HealthCheckResponse.SERVING
    server.join()
    assert server.result["call"].hex() == CALL_HEX
    client.close()


def test_unknown_frame_types_are_skipped_by_the_client():
    def script(peer, result):
        peer.handshake()
        frame, header = peer.read_call()
        assert header.method == CHECK and header.timeout_micros > 0
        peer.send(0x7F, 0, 0, b"future", b"stuff")              # connection-level unknown type
        peer.send(0x42, 0, frame.stream_id, b"", b"\x00" * 300)  # on the call's stream
        peer.send_status(frame.stream_id, payload=b"\x08\x01")

    server = FakeServer(script)
    client = server.client()
    assert client.call(CHECK, health_pb2.HealthCheckRequest(), health_pb2.HealthCheckResponse).status == 1
    server.join()


def test_rpc_error_from_status_with_details():
    details = common_pb2.ErrorDetails(
        reason="CASE_TRANSITION_FORBIDDEN", resource="case/case_123",
        field_violations=[common_pb2.FieldViolation(field="lines[0].quantity", description="must be positive")],
        metadata={"current_status": "CLOSED"})

    def script(peer, result):
        peer.handshake()
        frame, header = peer.read_call()
        result["metadata"] = [(e.key, e.value) for e in header.metadata]
        result["traceparent"] = header.traceparent
        peer.send_status(frame.stream_id, code=9, message="case is CLOSED",
                         details=details.SerializeToString(), trailers=[("x-request-id", b"req-42")])

    server = FakeServer(script)
    client = server.client()
    with pytest.raises(ac.RPCError) as raised:
        client.call(CHECK, health_pb2.HealthCheckRequest(service="x"), health_pb2.HealthCheckResponse,
                    metadata={"Authorization": "Bearer t0k", "idempotency-key": "k1", "trace-bin": b"\x00\xff"},
                    traceparent="00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
    server.join()
    error = raised.value
    assert error.code == ac.StatusCode.FAILED_PRECONDITION and error.code_name == "FAILED_PRECONDITION"
    assert error.message == "case is CLOSED"
    assert str(error) == "FAILED_PRECONDITION: case is CLOSED"
    assert error.details == details
    assert error.details.field_violations[0].field == "lines[0].quantity"
    assert error.trailer("x-request-id") == "req-42"
    assert not error.unprocessed
    assert server.result["metadata"] == [("authorization", b"Bearer t0k"), ("idempotency-key", b"k1"),
                                         ("trace-bin", b"\x00\xff")]
    assert server.result["traceparent"].startswith("00-4bf92f35")


def test_status_code_outside_grpc_range_is_unknown():
    error = ac.RPCError.from_status(rpc_pb2.Status(code=99, message="odd"))
    assert error.code == ac.StatusCode.UNKNOWN and "99" in error.message and error.details is None


def test_call_detailed_returns_headers_and_trailers():
    def script(peer, result):
        peer.handshake()
        frame, _ = peer.read_call()
        headers = rpc_pb2.CallHeader(metadata=[rpc_pb2.MetadataEntry(key="x-served-by", value=b"order-1")])
        peer.send(ac.FrameType.HEADERS, 0, frame.stream_id, headers.SerializeToString())
        peer.send_status(frame.stream_id, payload=b"\x08\x01", trailers=[("x-request-id", b"r-7")])

    server = FakeServer(script)
    reply = server.client().call_detailed(CHECK, health_pb2.HealthCheckRequest(), health_pb2.HealthCheckResponse)
    server.join()
    assert reply.message.status == 1
    assert reply.headers == [("x-served-by", b"order-1")]
    assert reply.trailer("x-request-id") == "r-7"


def test_server_ping_is_answered_and_stream_ids_increase():
    def script(peer, result):
        peer.handshake()
        for _ in range(2):
            frame, _ = peer.read_call()
            peer.send(ac.FrameType.PING, 0, 0, b"", b"\x01\x02\x03\x04\x05\x06\x07\x08")
            ack = peer.read(skip=())
            assert (ack.type, ack.flags, ack.payload) == (ac.FrameType.PING, ac.FLAG_ACK, b"\x01\x02\x03\x04\x05\x06\x07\x08")
            result.setdefault("ids", []).append(frame.stream_id)
            peer.send_status(frame.stream_id, payload=b"\x08\x01")

    server = FakeServer(script)
    client = server.client()
    for _ in range(2):
        client.call(CHECK, health_pb2.HealthCheckRequest(), health_pb2.HealthCheckResponse)
    server.join()
    assert server.result["ids"] == [1, 2]


def test_server_streaming_and_cancel():
    def script(peer, result):
        peer.handshake()
        frame, header = peer.read_call()
        assert header.method == WATCH and header.timeout_micros == 0 and frame.end_stream
        for status in (1, 2, 1):
            peer.send(ac.FrameType.MESSAGE, 0, frame.stream_id, b"",
                      health_pb2.HealthCheckResponse(status=status).SerializeToString())
        peer.send_status(frame.stream_id)
        # second call: the client stops after two messages and must CANCEL
        frame, _ = peer.read_call()
        for status in (1, 2, 1, 2):
            peer.send(ac.FrameType.MESSAGE, 0, frame.stream_id, b"",
                      health_pb2.HealthCheckResponse(status=status).SerializeToString())
        cancel = peer.read()
        assert (cancel.type, cancel.stream_id, cancel.meta, cancel.payload) == (ac.FrameType.CANCEL, frame.stream_id, b"", b"")
        # a late frame on the cancelled stream is ignored; the next call works
        peer.send_status(frame.stream_id, payload=b"\x08\x02")
        serving(peer, result)

    server = FakeServer(script)
    client = server.client()
    statuses = [r.status for r in client.stream(WATCH, health_pb2.HealthCheckRequest(), health_pb2.HealthCheckResponse)]
    assert statuses == [1, 2, 1]
    seen = []
    for response in client.stream(WATCH, health_pb2.HealthCheckRequest(), health_pb2.HealthCheckResponse):
        seen.append(response.status)
        if len(seen) == 2:
            break
    assert seen == [1, 2]
    assert client.call(CHECK, health_pb2.HealthCheckRequest(), health_pb2.HealthCheckResponse).status == 1
    server.join()


def test_client_streaming_sends_messages_and_half_close():
    from aftersale.testing.v1 import testing_pb2

    def script(peer, result):
        peer.handshake()
        for expected in (["a", "b", "c"], []):
            frame, header = peer.read_call()
            assert header.method == "/aftersale.testing.v1.Echo/Collect"
            assert frame.payload == b"" and not frame.end_stream  # the CALL carries no request
            texts = []
            while True:
                message = peer.read()
                assert message.type == ac.FrameType.MESSAGE and message.stream_id == frame.stream_id
                if message.end_stream:
                    assert message.payload == b""  # the half-close is not a request
                    break
                texts.append(testing_pb2.EchoRequest.FromString(message.payload).text)
            assert texts == expected
            response = testing_pb2.EchoResponse(text="+".join(texts), index=len(texts))
            peer.send_status(frame.stream_id, payload=response.SerializeToString())

    server = FakeServer(script)
    client = server.client()
    requests = (testing_pb2.EchoRequest(text=t) for t in "abc")
    reply = client.client_stream("/aftersale.testing.v1.Echo/Collect", requests, testing_pb2.EchoResponse)
    assert (reply.message.text, reply.message.index) == ("a+b+c", 3)
    reply = client.client_stream("/aftersale.testing.v1.Echo/Collect", [], testing_pb2.EchoResponse)
    assert (reply.message.text, reply.message.index) == ("", 0)
    server.join()


def test_streaming_error_status():
    def script(peer, result):
        peer.handshake()
        frame, _ = peer.read_call()
        peer.send(ac.FrameType.MESSAGE, 0, frame.stream_id, b"", b"\x08\x01")
        peer.send_status(frame.stream_id, code=14, message="draining")

    server = FakeServer(script)
    client = server.client()
    seen = []
    with pytest.raises(ac.RPCError) as raised:
        for response in client.stream(WATCH, health_pb2.HealthCheckRequest(), health_pb2.HealthCheckResponse):
            seen.append(response.status)
    server.join()
    assert seen == [1] and raised.value.code == ac.StatusCode.UNAVAILABLE  # not retried: a message was delivered


def test_deadline_sends_cancel():
    def script(peer, result):
        peer.handshake()
        frame, header = peer.read_call()
        result["timeout_micros"] = header.timeout_micros
        cancel = peer.read()
        assert (cancel.type, cancel.stream_id) == (ac.FrameType.CANCEL, frame.stream_id)

    server = FakeServer(script)
    client = server.client()
    started = time.monotonic()
    with pytest.raises(ac.RPCError) as raised:
        client.call(CHECK, health_pb2.HealthCheckRequest(), health_pb2.HealthCheckResponse, timeout=0.2)
    assert raised.value.code == ac.StatusCode.DEADLINE_EXCEEDED
    assert 0.15 < time.monotonic() - started < 2
    server.join()
    assert 0 < server.result["timeout_micros"] <= 200_000


def test_goaway_above_last_stream_is_unprocessed():
    def script(peer, result):
        peer.handshake()
        peer.read_call()
        peer.send_goaway(0, 0, "server is shutting down")

    server = FakeServer(script)
    client = server.client(max_attempts=1)
    with pytest.raises(ac.RPCError) as raised:
        client.call(CHECK, health_pb2.HealthCheckRequest(), health_pb2.HealthCheckResponse)
    server.join()
    assert raised.value.code == ac.StatusCode.UNAVAILABLE and raised.value.unprocessed


def test_goaway_lets_calls_up_to_last_stream_finish():
    def script(peer, result):
        peer.handshake()
        frame, _ = peer.read_call()
        peer.send_goaway(frame.stream_id, 0, "draining")
        peer.send_status(frame.stream_id, payload=b"\x08\x01")

    server = FakeServer(script)
    client = server.client()
    assert client.call(CHECK, health_pb2.HealthCheckRequest(), health_pb2.HealthCheckResponse).status == 1
    server.join()
    with pytest.raises(ac.RPCError) as raised:  # no new calls after GOAWAY; this client cannot reconnect
        client.call(CHECK, health_pb2.HealthCheckRequest(), health_pb2.HealthCheckResponse)
    assert raised.value.unprocessed


def test_compressed_flag_fails_the_call_with_internal():
    def script(peer, result):
        peer.handshake()
        frame, _ = peer.read_call()
        peer.send_status(frame.stream_id, payload=b"\x08\x01", flags=ac.FLAG_END_STREAM | ac.FLAG_COMPRESSED)
        assert peer.read().type == ac.FrameType.CANCEL

    server = FakeServer(script)
    with pytest.raises(ac.RPCError) as raised:
        server.client().call(CHECK, health_pb2.HealthCheckRequest(), health_pb2.HealthCheckResponse)
    server.join()
    assert raised.value.code == ac.StatusCode.INTERNAL and "compression not supported" in raised.value.message


def test_oversized_response_fails_only_its_stream():
    def script(peer, result):
        peer.handshake()
        settings = peer.read(skip=(ac.FrameType.PING,))
        assert settings.type == ac.FrameType.SETTINGS
        assert rpc_pb2.Settings.FromString(settings.meta).max_frame_size == 1024
        frame, _ = peer.read_call()
        peer.send_status(frame.stream_id, payload=b"\x0a" * 2000)
        assert peer.read().type == ac.FrameType.CANCEL
        serving(peer, result)

    server = FakeServer(script)
    client = server.client(max_frame_size=1024)
    with pytest.raises(ac.RPCError) as raised:
        client.call(CHECK, health_pb2.HealthCheckRequest(), health_pb2.HealthCheckResponse)
    assert raised.value.code == ac.StatusCode.RESOURCE_EXHAUSTED
    assert client.call(CHECK, health_pb2.HealthCheckRequest(), health_pb2.HealthCheckResponse).status == 1
    server.join()


def test_request_over_peer_max_frame_size_is_refused_locally():
    def script(peer, result):
        peer.handshake(max_frame_size=100)
        serving(peer, result)

    server = FakeServer(script)
    client = server.client()
    with pytest.raises(ac.RPCError) as raised:
        client.call(CHECK, health_pb2.HealthCheckRequest(service="s" * 200), health_pb2.HealthCheckResponse)
    assert raised.value.code == ac.StatusCode.RESOURCE_EXHAUSTED and raised.value.unprocessed
    assert client.call(CHECK, health_pb2.HealthCheckRequest(), health_pb2.HealthCheckResponse).status == 1
    server.join()


def test_malformed_frame_from_server_sends_goaway():
    def script(peer, result):
        peer.handshake()
        frame, _ = peer.read_call()
        peer.sock.sendall(struct.pack(">IBBHI", 8, ac.FrameType.STATUS, 1, 9, frame.stream_id))
        goaway = peer.read()
        assert goaway.type == ac.FrameType.GOAWAY
        assert rpc_pb2.GoAway.FromString(goaway.meta).code == ac.GoAwayCode.PROTOCOL_ERROR

    server = FakeServer(script)
    with pytest.raises(ac.RPCError) as raised:
        server.client().call(CHECK, health_pb2.HealthCheckRequest(), health_pb2.HealthCheckResponse)
    server.join()
    assert raised.value.code == ac.StatusCode.INTERNAL


def test_bad_preface_goaway_during_handshake():
    def script(peer, result):
        peer.expect_preface()
        peer.send_goaway(0, 1, "bad connection preface")

    server = FakeServer(script)
    with pytest.raises(ac.RPCError) as raised:
        server.client()
    server.join()
    assert raised.value.code == ac.StatusCode.UNAVAILABLE and "PROTOCOL_ERROR" in raised.value.message


def test_keepalive_timeout_closes_a_dead_connection():
    def script(peer, result):
        peer.handshake()
        peer.read_call()
        ping = peer.read(skip=())
        assert ping.type == ac.FrameType.PING and not ping.flags & ac.FLAG_ACK and len(ping.payload) == 8
        # never answered: the client gives up and says why
        goaway = peer.read(skip=())
        assert rpc_pb2.GoAway.FromString(goaway.meta).code == ac.GoAwayCode.KEEPALIVE_TIMEOUT

    server = FakeServer(script)
    client = server.client(keepalive_interval=0.05, keepalive_timeout=0.1, max_attempts=1)
    with pytest.raises(ac.RPCError) as raised:
        client.call(CHECK, health_pb2.HealthCheckRequest(), health_pb2.HealthCheckResponse, timeout=5)
    server.join()
    assert raised.value.code == ac.StatusCode.UNAVAILABLE and "keepalive" in raised.value.message


def test_connection_lost_is_unavailable():
    def script(peer, result):
        peer.handshake()
        peer.read_call()
        peer.sock.shutdown(socket.SHUT_RDWR)

    server = FakeServer(script)
    with pytest.raises(ac.RPCError) as raised:
        server.client(max_attempts=1).call(CHECK, health_pb2.HealthCheckRequest(), health_pb2.HealthCheckResponse)
    server.join()
    assert raised.value.code == ac.StatusCode.UNAVAILABLE and not raised.value.unprocessed


def test_idempotency_from_proto_options():
    assert ac.is_idempotent(CHECK)
    assert ac.is_idempotent("/aftersale.reflection.v1.Reflection/ListServices")
    assert not ac.is_idempotent(WATCH)
    assert not ac.is_idempotent("/no.Such/Method")


# ------------------------------------------------------------------------------------------------ over a Unix socket

class UnixServer:
    """A fake server on a temporary Unix socket; ``scripts`` run one per accepted connection, in order."""

    def __init__(self, scripts):
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, "s.sock")
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.path)
        self.listener.listen()
        self.listener.settimeout(5)
        self.errors = []
        self.result = {}

        def run():
            for script in scripts:
                try:
                    sock, _ = self.listener.accept()
                    with sock:
                        script(Peer(sock), self.result)
                except BaseException as error:  # noqa: BLE001 - reported by join()
                    self.errors.append(error)
                    return

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    @property
    def address(self):
        return "unix://" + self.path

    def join(self):
        self.thread.join(5)
        self.listener.close()
        self.dir.cleanup()
        assert not self.thread.is_alive()
        if self.errors:
            raise self.errors[0]


def test_retry_on_a_new_connection_after_goaway():
    def refuse(peer, result):
        peer.handshake()
        frame, _ = peer.read_call()
        peer.send_goaway(frame.stream_id - 1, 0, "draining")

    server = UnixServer([refuse, lambda peer, result: (peer.handshake(), serving(peer, result))])
    with ac.Client(server.address, timeout=5) as client:
        assert client.call(CHECK, health_pb2.HealthCheckRequest(), health_pb2.HealthCheckResponse).status == 1
    server.join()


def test_unavailable_is_retried_only_when_safe():
    def script(peer, result):
        peer.handshake()
        while True:
            try:
                frame, header = peer.read_call()
            except ac.ConnectionClosed:
                return
            result.setdefault("methods", []).append(header.method)
            code = int(dict((e.key, e.value) for e in header.metadata).get("x-code", b"14"))
            peer.send_status(frame.stream_id, code=code, message="dependency down",
                             details=common_pb2.ErrorDetails(retry_after_millis=20).SerializeToString())

    server = FakeServer(script)
    client = server.client(max_attempts=3)
    started = time.monotonic()
    with pytest.raises(ac.RPCError):  # Health/Check is NO_SIDE_EFFECTS: 3 attempts
        client.call(CHECK, health_pb2.HealthCheckRequest(), health_pb2.HealthCheckResponse)
    assert time.monotonic() - started >= 0.04  # retry_after_millis honoured
    with pytest.raises(ac.RPCError):  # Watch is not idempotent: 1 attempt
        list(client.stream(WATCH, health_pb2.HealthCheckRequest(), health_pb2.HealthCheckResponse))
    with pytest.raises(ac.RPCError):  # ... unless it carries an idempotency-key: 3 attempts
        list(client.stream(WATCH, health_pb2.HealthCheckRequest(), health_pb2.HealthCheckResponse,
                           metadata={"idempotency-key": "w1"}))
    with pytest.raises(ac.RPCError) as raised:  # codes other than UNAVAILABLE are never retried
        client.call(CHECK, health_pb2.HealthCheckRequest(), health_pb2.HealthCheckResponse,
                    metadata=[("idempotency-key", "k"), ("x-code", "13")])
    assert raised.value.code == ac.StatusCode.INTERNAL
    client.close()
    server.join()
    assert server.result["methods"] == [CHECK] * 3 + [WATCH] + [WATCH] * 3 + [CHECK]


def test_command_line_health_and_list(capsys):
    def health(peer, result):
        peer.handshake()
        frame, header = peer.read_call()
        assert health_pb2.HealthCheckRequest.FromString(frame.payload).service == "aftersale.order.v1.OrderService"
        peer.send_status(frame.stream_id, payload=health_pb2.HealthCheckResponse(status=1).SerializeToString())

    def not_serving(peer, result):
        peer.handshake()
        frame, _ = peer.read_call()
        peer.send_status(frame.stream_id, payload=health_pb2.HealthCheckResponse(status=2).SerializeToString())

    def listing(peer, result):
        peer.handshake()
        frame, header = peer.read_call()
        assert header.method == "/aftersale.reflection.v1.Reflection/ListServices"
        response = reflection_pb2.ListServicesResponse(services=[reflection_pb2.ServiceInfo(
            name="aftersale.health.v1.Health", methods=[reflection_pb2.MethodInfo(
                name="Check", full_path=CHECK, input_type="aftersale.health.v1.HealthCheckRequest",
                output_type="aftersale.health.v1.HealthCheckResponse")])])
        peer.send_status(frame.stream_id, payload=response.SerializeToString())

    server = UnixServer([health, not_serving, listing])
    assert cli_main(["health", server.address, "aftersale.order.v1.OrderService"]) == 0
    assert capsys.readouterr().out == "SERVING\n"
    assert cli_main(["health", server.address]) == 1
    assert capsys.readouterr().out == "NOT_SERVING\n"
    assert cli_main(["list", server.address]) == 0
    assert "aftersale.health.v1.Health\n  /aftersale.health.v1.Health/Check(" in capsys.readouterr().out
    server.join()
    assert cli_main(["health", "unix:///nonexistent/dir/x.sock"]) == 1
    assert cli_main(["health", "nonsense"]) == 2
