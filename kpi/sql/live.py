"""The database the app computes its KPIs in, kept across runs: checked once per run, reconnected when its
connection was lost, and set aside with a plain reason while it fails (the app then uses the workspace).

A failure found by the check (no connection, a table, column or permission gone) is cheap to look for again,
so it is retried on the next run; a connection lost in the middle of a computation (a server restarting) is
retried LOST_RETRY_SECONDS later (not on the run that starts again at once); a query that fails in the middle
of a computation (one stopped at the connection's QUERY_TIMEOUT_SECONDS among them), or an attempt that took
long (a server that does not answer), is retried after RETRY_SECONDS, so that pages are not slowed on every
click.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from loaders.schema import TABLES

from .source import (
    CONNECTION_ERRORS,
    QUERY_TIMEOUT_SECONDS,
    Source,
    SourceError,
    SourceTimeout,
    describe_failure,
    safe_url,
    timed_out,
)

RETRY_SECONDS = 60
LOST_RETRY_SECONDS = 5
SLOW_SECONDS = 2.0  # an attempt that took longer than this is not repeated on every run
REFRESH_SECONDS = 3600  # a new connection, so fresh numbers, at least this often (the data changes on its own)


@dataclass(frozen=True)
class Failure:
    """Why the database is not used: when it failed, what failed (no password), and when the app's per-run
    check may try it again (`retry_at`, on the same clock)."""

    at: float
    message: str
    retry_at: float

    @property
    def wait(self) -> float:
        """Seconds from the failure to the next attempt: 0 for the next run."""
        return max(0.0, self.retry_at - self.at)


class LiveSource:
    """One configured database (URL and schema): the Source in use, or the failure that set it aside."""

    def __init__(self, url: str, schema: str | None = None, *,
                 open_source: Callable[..., Source] = Source.from_url,
                 clock: Callable[[], float] = time.monotonic, wall: Callable[[], float] = time.time):
        self.url, self.schema = url, schema
        self._open, self._clock, self._wall = open_source, clock, wall
        self._lock = threading.RLock()
        self._source: Source | None = None
        self._epoch: int | None = None
        self.generation = 0  # counts the connections made: results are cached per connection
        self.failure: Failure | None = None
        self.known: frozenset[str] = frozenset()  # every canonical table this database has held

    @property
    def where(self) -> str:
        return safe_url(self.url) + (f" schema {self.schema}" if self.schema else "")

    def current(self) -> Source | None:
        """The Source to compute in (connecting when there is none, or a new one every REFRESH_SECONDS), or
        None while the database is set aside (a failure is retried after RETRY_SECONDS here)."""
        with self._lock:
            if self.failure is not None:
                if self._clock() - self.failure.at < RETRY_SECONDS:
                    return None
                self.failure = None
            if self._source is None or self._epoch != self._now_epoch():
                return self._connect()
            return self._source

    def check(self) -> Source | None:
        """Once per run of the app: is the database still there, with every table it held? A failure that
        may be retried now is retried; a connection that no longer answers is replaced once. The Source to
        use, or None (the failure says why)."""
        with self._lock:
            if self.failure is not None:
                if self._clock() < self.failure.retry_at:
                    return None
                self.failure = None
            if self._source is None or self._epoch != self._now_epoch():
                return self._connect()
            try:
                self._verify(self._source)
            except SourceTimeout as exc:  # a locked table or a busy server: a new connection would wait too
                self._source = None
                now = self._clock()
                self.failure = Failure(now, describe_failure(exc, self.url), now + RETRY_SECONDS)
                return None
            except Exception:  # noqa: BLE001 - whatever the driver says, the connection is replaced once
                self._source = None
                return self._connect()
            return self._source

    def fail(self, exc: BaseException, source: Source) -> bool:
        """A computation on `source` failed with a database error: the database is set aside, for
        LOST_RETRY_SECONDS when the connection was lost, else RETRY_SECONDS. False when `source` is no longer
        the one in use (another run replaced it: nothing to set aside, the caller runs again on the new one)."""
        with self._lock:
            if source is not self._source:
                return False
            self._source = None
            lost = (any(c.__name__ in CONNECTION_ERRORS for c in type(exc).__mro__) or isinstance(exc, ConnectionError)) \
                and not timed_out(exc)
            now = self._clock()
            self.failure = Failure(now, describe_failure(exc, self.url),
                                   now + (LOST_RETRY_SECONDS if lost else RETRY_SECONDS))
            return True

    def _now_epoch(self) -> int:
        return int(self._wall() // REFRESH_SECONDS)

    def _connect(self) -> Source | None:
        started = self._clock()
        try:
            src = self._open(self.url, schema=self.schema)
            src.limit_queries(QUERY_TIMEOUT_SECONDS)
            if not src.tables:
                raise SourceError(f"no canonical tables ({', '.join(TABLES)}) found in {self.where}")
            self._verify(src)
        except Exception as exc:  # noqa: BLE001 - any driver's failure: said on the page, the workspace used
            self._source = None
            now = self._clock()
            self.failure = Failure(now, describe_failure(exc, self.url),
                                   now + (RETRY_SECONDS if now - started >= SLOW_SECONDS else 0.0))
            return None
        self._source, self._epoch, self.failure = src, self._now_epoch(), None
        self.generation += 1
        return src

    def _verify(self, src: Source) -> None:
        """The check's query, and no table missing that this database held before (a dropped or renamed
        view is a failure to say, not a KPI that quietly has no data)."""
        src.check()
        gone = sorted(self.known - set(src.tables))
        if gone:
            raise SourceError(f"the table{'s' if len(gone) > 1 else ''} {', '.join(gone)} "
                              f"{'are' if len(gone) > 1 else 'is'} no longer in {self.where}")
        self.known = self.known | frozenset(src.tables)


_LIVE: dict[tuple[str, str | None], LiveSource] = {}
_LIVE_LOCK = threading.Lock()


def live(url: str, schema: str | None = None) -> LiveSource:
    """The LiveSource of a database (one per URL and schema in the process, shared by the app's sessions)."""
    with _LIVE_LOCK:
        hit = _LIVE.get((url, schema))
        if hit is None:
            hit = _LIVE[(url, schema)] = LiveSource(url, schema)
        return hit


def forget() -> None:
    """Drop every kept database (tests; a process that changes its configuration)."""
    with _LIVE_LOCK:
        _LIVE.clear()
