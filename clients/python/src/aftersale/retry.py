"""When and how often a failed call is tried again (docs/PROTOCOL.md §14), the same for every transport."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass
from typing import Awaitable, Callable, Optional, TypeVar

from aftersale._wire import Metadata
from aftersale.errors import RPCError, StatusCode
from aftersale.methods import is_idempotent

__all__ = ["RetryPolicy", "NO_RETRIES", "ReadyWait"]

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """Retries **only on UNAVAILABLE**, and only when repeating is safe: the call certainly was not processed
    (``RPCError.unprocessed``), or the method is marked ``NO_SIDE_EFFECTS``/``IDEMPOTENT`` in proto/, or the call
    carries an ``idempotency-key`` (the server then answers a repeat with the first outcome, CONTRACT.md).

    ``max_attempts`` counts the first attempt (1 = retries off). Between attempts the client sleeps
    ``initial_backoff * multiplier**(n-1)``, capped at ``max_backoff``, times a random factor in ``1 ± jitter``,
    and at least the server's ``ErrorDetails.retry_after_millis``; never past the call's deadline.
    """

    max_attempts: int = 3
    initial_backoff: float = 0.05
    max_backoff: float = 5.0
    multiplier: float = 2.0
    jitter: float = 0.2
    on_retry: Optional[Callable[[int, RPCError, float], None]] = None
    """Called before each retry with (attempt that failed, its error, the delay): logging, metrics, tests."""

    def may_retry(self, error: RPCError, method: str, metadata: Metadata) -> bool:
        if error.code != StatusCode.UNAVAILABLE:
            return False
        if error.unprocessed:
            return True
        if any(key == "idempotency-key" for key, _ in metadata):
            return True
        return is_idempotent(method)

    def delay(self, attempt: int, error: RPCError) -> float:
        delay = min(self.initial_backoff * self.multiplier ** (attempt - 1), self.max_backoff)
        delay *= random.uniform(1 - self.jitter, 1 + self.jitter)
        if error.details is not None and error.details.retry_after_millis > 0:
            delay = max(delay, error.details.retry_after_millis / 1000)
        return delay

    def next_delay(self, attempt: int, error: RPCError, method: str, metadata: Metadata,
                    deadline: Optional[float]) -> Optional[float]:
        """The sleep before the next attempt, or None when the error is final."""
        error.attempts = attempt
        if attempt >= self.max_attempts or not self.may_retry(error, method, metadata):
            return None
        delay = self.delay(attempt, error)
        if deadline is not None and time.monotonic() + delay >= deadline:
            return None
        if self.on_retry is not None:
            self.on_retry(attempt, error, delay)
        return delay

    def run(self, attempt: Callable[[], T], method: str, metadata: Metadata, deadline: Optional[float]) -> T:
        """Calls ``attempt`` until it returns, or raises its last RPCError."""
        number = 0
        while True:
            number += 1
            try:
                return attempt()
            except RPCError as error:
                delay = self.next_delay(number, error, method, metadata, deadline)
                if delay is None:
                    raise
            time.sleep(delay)

    async def run_async(self, attempt: Callable[[], Awaitable[T]], method: str, metadata: Metadata,
                        deadline: Optional[float]) -> T:
        """:meth:`run` for coroutines."""
        number = 0
        while True:
            number += 1
            try:
                return await attempt()
            except RPCError as error:
                delay = self.next_delay(number, error, method, metadata, deadline)
                if delay is None:
                    raise
            await asyncio.sleep(delay)


class ReadyWait:
    """Wait for ready: while ``budget`` seconds (from now) last, and within the call's deadline, a connection that
    cannot be made is tried again after a jittered backoff (50 ms doubling to 1 s, ±20 %) instead of failing the
    call at once. Nothing is sent meanwhile, so this is safe for every method and does not count as an attempt.
    ``budget=None``: fail fast."""

    BACKOFF = RetryPolicy(initial_backoff=0.05, max_backoff=1.0)

    def __init__(self, budget: Optional[float]):
        self.until = None if budget is None else time.monotonic() + budget
        self.attempt = 0

    def next_delay(self, error: RPCError, deadline: Optional[float]) -> Optional[float]:
        """The sleep before connecting again, or None when ``error`` is final."""
        if self.until is None or not (error.unprocessed and error.code == StatusCode.UNAVAILABLE):
            return None
        self.attempt += 1
        delay = self.BACKOFF.delay(self.attempt, error)
        limit = self.until if deadline is None else min(self.until, deadline)
        return delay if time.monotonic() + delay < limit else None


NO_RETRIES = RetryPolicy(max_attempts=1)
"""Retries off. A call that never left the client is still repeated once on a fresh connection (transparent)."""
