"""A real AfterSale system for the end-to-end tests: ``aftersale up`` in a temporary directory, as a child of the
test process (AFTERSALE_SUPERVISOR_PID: it stops with its services if pytest dies), and the gateway it runs.

The binary: $AFTERSALE_BIN (scripts/test sets it; then a missing binary fails the tests), else the debug build of
this checkout when there is one (else the end-to-end tests are skipped: build with `swift build --product
aftersale`)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import tempfile
import threading
import time
from typing import Callable, List, Optional, Sequence

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def aftersale_binary() -> str:
    explicit = os.environ.get("AFTERSALE_BIN")
    if explicit:
        assert os.access(explicit, os.X_OK), f"AFTERSALE_BIN={explicit} is not an executable"
        return explicit
    default = os.path.join(ROOT, ".build", "debug", "aftersale")
    if not os.access(default, os.X_OK):
        pytest.skip("no aftersale binary: set AFTERSALE_BIN or run `swift build --product aftersale`")
    return default


class System:
    """``aftersale up --dir DIR``; ``gateway`` is its native address."""

    SERVING = re.compile(r"^gateway +SERVING on (\S+) \(pid (\d+)")
    GRPC = re.compile(r"^gateway +gRPC .* on tcp://(\S+)")

    def __init__(self, directory: str, *, seed: bool, arguments: Sequence[str] = ()):
        self.binary = aftersale_binary()
        self.directory = directory
        self.lines: List[str] = []
        self._changed = threading.Condition()
        environment = dict(os.environ, AFTERSALE_SUPERVISOR_PID=str(os.getpid()))
        command = [self.binary, "up", "--dir", directory, "--grace", "3s"] + ([] if seed else ["--no-seed"])
        self.process = subprocess.Popen(command + list(arguments), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=environment)
        threading.Thread(target=self._read, daemon=True).start()
        try:
            self.wait_for(lambda line: line.startswith("development token"), timeout=120)
        except BaseException:
            self.stop()
            raise
        self.gateway = f"unix://{directory}/run/gateway.sock"
        self.gateway_grpc = self.latest_grpc_address()
        """The gateway's standard gRPC listener, when this build has one (`up` prints its address)."""
        self.keys_file = os.path.join(directory, "run", "token.keys")

    def latest_grpc_address(self) -> Optional[str]:
        with self._changed:
            found = [m.group(1) for m in map(self.GRPC.match, self.lines) if m]
        return f"grpc://{found[-1]}" if found else None

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def wait_for(self, predicate: Callable[[str], bool], timeout: float = 30, start: int = 0) -> str:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for line in self.lines[start:]:
                    if predicate(line):
                        return line
                start = len(self.lines)
                remaining = deadline - time.monotonic()
                assert remaining > 0 and self.process.poll() is None, \
                    "aftersale up did not get there:\n" + "\n".join(self.lines)
                self._changed.wait(remaining)

    def token(self, role: str = "agent", subject: str = "python-tests") -> str:
        """A bearer token from `aftersale token` (opaque to the client)."""
        result = subprocess.run([self.binary, "token", "--role", role, "--subject", subject,
                                 "--keys-file", self.keys_file], capture_output=True, text=True, check=True)
        return result.stdout.strip()

    def gateway_pid(self) -> int:
        with self._changed:
            matches = [self.SERVING.match(line) for line in self.lines]
        return int([m for m in matches if m][-1].group(2))

    def kill_gateway(self, sig: int) -> int:
        pid = self.gateway_pid()
        os.kill(pid, sig)
        return pid

    def restart_gateway(self, sig: int = signal.SIGKILL) -> None:
        """Stops the gateway with ``sig``; returns once `up` has restarted it and it answers SERVING again."""
        mark = len(self.lines)
        old = self.kill_gateway(sig)
        self.wait_for_new_gateway(old, mark)

    def wait_for_new_gateway(self, old: int, mark: int) -> None:
        self.wait_for(lambda line: bool((m := self.SERVING.match(line)) and int(m.group(2)) != old),
                      timeout=60, start=mark)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_system(*, seed: bool, arguments: Sequence[str] = ()) -> System:
    directory = tempfile.mkdtemp(prefix="as-py-")  # short: a Unix socket path has at most ~107 bytes
    return System(os.path.join(directory, "var"), seed=seed, arguments=arguments)


def up_accepts(flag: str) -> bool:
    result = subprocess.run([aftersale_binary(), "up", "--help"], capture_output=True, text=True)
    return flag in result.stdout + result.stderr
