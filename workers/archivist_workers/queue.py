"""The TaskQueue port on a Dramatiq broker: messages by actor name, no actor import needed."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker, _RedisConsumer
from dramatiq.common import current_millis, dq_name
from dramatiq.errors import BrokerConnectionError, ConnectionClosed
from dramatiq.middleware import Retries, default_middleware
from dramatiq.worker import ConsumerThread

from archivist.adapters.redis_errors import described
from archivist.core.errors import QueueUnavailable
from archivist.settings import Settings

__all__ = [
    "EXTRACT_QUEUE",
    "FETCH_QUEUE",
    "REEXTRACT_ACTOR",
    "DramatiqTaskQueue",
    "check_credentials",
    "redis_broker",
    "redis_task_queue",
]

FETCH_QUEUE = "fetch"
EXTRACT_QUEUE = "extract"
FETCH_ACTOR = "fetch_capture"
EXTRACT_ACTOR = "extract_capture"
#: Re-extraction shares the extract queue (and so its workers): it is the same kind of work.
REEXTRACT_ACTOR = "reextract_capture"


log = logging.getLogger(__name__)

#: Added to the start a Redis server's uptime implies (see DramatiqTaskQueue.kept_since).
_UPTIME_MARGIN_SECONDS = 2

#: Run the broker's maintenance (which requeues a dead worker's messages) on every call.
MAINTENANCE_CHANCE = 1_000_000


def _cannot_consume(exc: redis.RedisError) -> str:
    """What a worker says when Redis refuses it access, at start-up or later."""
    return f"the worker cannot consume the queue: {described(exc)}"


def _access_refusal(exc: BaseException) -> redis.RedisError | None:
    """The refusal of access in ``exc``, credentials (NOAUTH, WRONGPASS) or ACL rules (NOPERM):
    Redis's own error, or one Dramatiq wrapped as a lost connection (an AuthenticationError is a
    ``redis.ConnectionError``, which it wraps so)."""
    cause = exc.message if isinstance(exc, ConnectionClosed) else exc
    return cause if isinstance(cause, redis.AuthenticationError | redis.exceptions.NoPermissionError) else None


@contextmanager
def _as_lost_connection(broker: _OutageTolerantBroker) -> Iterator[None]:
    """Any failure of Redis inside, as a lost connection (Dramatiq's ConnectionClosed), which its
    consumer threads wait out; access refused stops a worker process instead (see
    :meth:`_OutageTolerantBroker.stop_if_access_refused`)."""
    try:
        yield
    except (redis.RedisError, ConnectionClosed) as exc:
        broker.stop_if_access_refused(exc)
        if isinstance(exc, ConnectionClosed):
            raise
        raise ConnectionClosed(exc) from None


class _OutageTolerantConsumer(_RedisConsumer):
    """Dramatiq's Redis consumer, taking any failure of the server for a lost connection.

    Dramatiq handles a lost connection only (``redis.ConnectionError``). A Redis that is up but
    refuses writes (out of memory under ``noeviction``, a read-only replica after a failover, a
    failed save under ``stop-writes-on-bgsave-error``) answers the fetch and ack scripts with an
    error reply, and one that answers nothing (frozen, or ``CLIENT PAUSE``) times out: the
    consumer logged a traceback at every restart ("Consumer encountered an unexpected error"),
    and an ack so refused was given up ("You've found a bug in Dramatiq"), its message left in
    the worker's unacked set to run again at the worker's next restart. As a lost connection,
    the consumer logs one line and restarts, and the ack is retried until the server takes it.

    A delay queue's consumer thread holds the retries it fetched in memory until their eta, then
    moves each back to its queue and acks it. When its consumer restarts it drops what it held
    (and a move refused was a traceback), while Redis keeps them in this worker's unacked set of
    the delay queue, where nothing takes them back as long as the worker lives: the retries were
    stuck until it restarted. So a delay queue's consumer first puts back whatever that set holds
    (the consumer before it held it, there being one consumer of a queue per worker process),
    before fetching: once the server takes writes again, the retries come back with their eta.
    """

    def __init__(self, broker: RedisBroker, queue_name: str, prefetch: int, timeout: int) -> None:
        super().__init__(broker, queue_name, prefetch, timeout)
        #: Done, or nothing to do: only a delay queue's consumer thread holds messages it drops.
        self._put_back_held = queue_name != dq_name(queue_name)

    def ack(self, message: dramatiq.MessageProxy) -> None:
        with _as_lost_connection(self.broker):
            super().ack(message)

    def nack(self, message: dramatiq.MessageProxy) -> None:
        with _as_lost_connection(self.broker):
            super().nack(message)

    def requeue(self, messages: Iterable[dramatiq.MessageProxy]) -> None:
        with _as_lost_connection(self.broker):
            super().requeue(messages)

    def __next__(self) -> dramatiq.MessageProxy | None:
        with _as_lost_connection(self.broker):
            if not self._put_back_held:
                self._put_back_retries_held()
                self._put_back_held = True
            return super().__next__()

    def _put_back_retries_held(self) -> None:
        """Move this worker's unacked retries of the delay queue back to it (its requeue script
        takes each out of the unacked set and puts it back in the queue, if it is still there)."""
        broker = self.broker
        held = broker.client.smembers(f"{broker.namespace}:__acks__.{broker.broker_id}.{self.queue_name}")
        if held:
            broker.do_requeue(self.queue_name, *sorted(held))
            log.info("put back in %s the %d message(s) its consumer held when it stopped", self.queue_name, len(held))


#: Seconds between two tries to queue a retry that Redis refused (as Dramatiq's for an ack).
RETRY_SEND_INTERVAL_SECONDS = 5


class _SendsUntilTaken:
    """The broker as :class:`_OutageTolerantRetries` sees it: ``enqueue`` is tried again until
    Redis takes the message; everything else is the broker's own."""

    def __init__(self, broker: RedisBroker) -> None:
        self._broker = broker

    def __getattr__(self, name: str) -> object:
        return getattr(self._broker, name)

    def enqueue(self, message: dramatiq.Message, *, delay: int | None = None) -> dramatiq.Message:
        while True:
            try:
                return self._broker.enqueue(message, delay=delay)
            except (redis.RedisError, BrokerConnectionError) as exc:
                self._broker.stop_if_access_refused(exc)
                log.warning("could not queue the retry of %s (%s); trying again in %d s, the message is "
                            "acknowledged only once it is queued", message, described(exc),
                            RETRY_SEND_INTERVAL_SECONDS)
                time.sleep(RETRY_SEND_INTERVAL_SECONDS)


class _OutageTolerantRetries(Retries):
    """Dramatiq's Retries, whose retry is queued before the message it retries is acknowledged.

    Retries sends a failed message's retry (to the delay queue) when its actor returns, before
    the worker acks it. A Redis that refused that send (full, read-only, gone) raised into the
    broker's middleware loop, which logs any middleware's error as one critical line and goes
    on: the message was acked once Redis took writes again, the retry was lost, and its capture
    stayed live until reconcile found its lease run out. The send is tried again, as the ack is,
    until Redis takes it; the ack follows. A worker stopped meanwhile leaves the message
    unacknowledged: it is redelivered (a send whose answer was lost may have gone through: the
    capture's lease absorbs the duplicate).
    """

    def after_process_message(self, broker, message, *, result=None, exception=None):  # noqa: ANN001
        super().after_process_message(_SendsUntilTaken(broker), message, result=result, exception=exception)


class _OutageTolerantBroker(RedisBroker):
    #: Set in the worker processes (:mod:`archivist_workers.app`): Redis refusing them access
    #: ends the process, with status 2.
    exits_on_refused_access = False

    def __init__(self, **options: object) -> None:
        middleware = [_OutageTolerantRetries() if kind is Retries else kind() for kind in default_middleware]
        super().__init__(middleware=middleware, **options)
        self._stopping = threading.Lock()

    def stop_if_access_refused(self, exc: BaseException) -> None:
        """End this worker process, saying why in one line, if ``exc`` is Redis refusing the
        credentials (NOAUTH, WRONGPASS) or, by its ACL rules, the commands the broker runs (NOPERM).

        ``archivist worker`` checks them at start (:func:`check_credentials`), but one started
        while Redis was down cannot, and a password set or changed on the server while it runs
        is met when its connections are made again: its consumers took the refusal for a lost
        connection and restarted every 3 s for as long as it ran, taking no message while it
        looked alive. The password is read from ARCHIVIST_REDIS_URL at start, so only a restart
        with the right one helps: the process exits 2 at once (its in-flight messages, which it
        could not acknowledge, are redelivered as a dead worker's), and Dramatiq's main process
        stops the others and exits 2 as well, as ``archivist worker`` does at start. A user whose
        ACL rules refuse the broker's commands logs in (the check at start passes) and is refused
        them for as long as the rules stay: the same.
        """
        refused = _access_refusal(exc)
        if refused is None or not self.exits_on_refused_access:
            return
        with self._stopping:  # the first thread to meet it says it; the others wait for the end
            log.error("%s; this worker stops", _cannot_consume(refused))
            os._exit(2)

    def enqueue(self, message: dramatiq.Message, *, delay: int | None = None) -> dramatiq.Message:
        """The broker's enqueue; on a worker's consumer thread, whose only send is the move of a
        due retry from its delay queue, any failure of Redis is a lost connection: the consumer
        restarts (one line) and puts the retry back (see :class:`_OutageTolerantConsumer`),
        instead of a traceback and the retry left held until the worker restarts. Producers get
        Redis's own errors, as they expect."""
        if not isinstance(threading.current_thread(), ConsumerThread):
            return super().enqueue(message, delay=delay)
        with _as_lost_connection(self):
            return super().enqueue(message, delay=delay)

    @property
    def consumer_class(self) -> type[_RedisConsumer]:
        return _OutageTolerantConsumer


def redis_broker(settings: Settings) -> RedisBroker:
    """The Redis broker the settings describe, for producers and workers alike (no connection yet)."""
    if not settings.redis_url:
        raise QueueUnavailable("no broker configured: set ARCHIVIST_REDIS_URL")
    return _OutageTolerantBroker(
        url=settings.redis_url,
        namespace=settings.redis_namespace,
        heartbeat_timeout=settings.worker_heartbeat_timeout_ms,
        maintenance_chance=MAINTENANCE_CHANCE,
    )


def check_credentials(settings: Settings) -> None:
    """Raise :class:`QueueUnavailable` if the Redis server refuses the settings' credentials, or
    the Lua scripts the broker runs (an ACL user without EVAL or EVALSHA: NOPERM).

    A worker's consumers take any failure of the server for a lost connection and wait for it:
    right for an outage, but a server that wants a password it was not given (NOAUTH) or another
    one (WRONGPASS) refuses it for as long as the worker runs, which then never takes a message
    while it looks alive. A server that does not answer passes: the worker waits for it.

    A refusal met only once the worker runs ends its process from a consumer thread
    (:meth:`_OutageTolerantBroker.stop_if_access_refused`); met while Dramatiq's worker process
    is still booting, that exit could come while the process held the boot event it shares with
    Dramatiq's main process, which then waited for it forever. Found here, nothing has started.
    """
    client = redis_broker(settings).client
    try:
        client.ping()
        client.eval("return 1", 0)
        try:
            client.evalsha("0" * 40, 0)
        except redis.exceptions.NoScriptError:
            pass  # allowed, and no such script: what a first EVALSHA of each script meets
    except (redis.AuthenticationError, redis.exceptions.NoPermissionError) as exc:
        raise QueueUnavailable(_cannot_consume(exc)) from exc
    except redis.RedisError:
        pass
    finally:
        client.close()


def redis_task_queue(settings: Settings) -> DramatiqTaskQueue:
    return DramatiqTaskQueue(redis_broker(settings))


class DramatiqTaskQueue:
    """Sends fetch, extract and re-extract messages. Batches go to Redis in one pipelined round trip."""

    def __init__(self, broker: dramatiq.Broker) -> None:
        self.broker = broker

    @staticmethod
    def _message(queue: str, actor: str, capture_id: str) -> dramatiq.Message:
        return dramatiq.Message(queue_name=queue, actor_name=actor, args=(capture_id,), kwargs={}, options={})

    def enqueue_fetch(self, capture_ids: Sequence[str]) -> None:
        self._enqueue_batch(FETCH_QUEUE, FETCH_ACTOR, capture_ids, "fetches")

    def enqueue_reextract(self, capture_ids: Sequence[str]) -> None:
        self._enqueue_batch(EXTRACT_QUEUE, REEXTRACT_ACTOR, capture_ids, "re-extractions")

    def _enqueue_batch(self, queue: str, actor: str, capture_ids: Sequence[str], what: str) -> None:
        try:
            if isinstance(self.broker, RedisBroker) and len(capture_ids) > 1:
                self._enqueue_pipelined(queue, actor, capture_ids)
            else:
                for capture_id in capture_ids:
                    self.broker.enqueue(self._message(queue, actor, capture_id))
        except (redis.RedisError, dramatiq.errors.BrokerConnectionError) as exc:
            raise QueueUnavailable(f"cannot queue {len(capture_ids)} {what}: {described(exc)}") from exc

    def enqueue_extract(self, capture_id: str) -> None:
        try:
            self.broker.enqueue(self._message(EXTRACT_QUEUE, EXTRACT_ACTOR, capture_id))
        except (redis.RedisError, dramatiq.errors.BrokerConnectionError) as exc:
            raise QueueUnavailable(f"cannot queue extraction of {capture_id}: {described(exc)}") from exc

    def holds_fetches(self) -> bool | None:
        """Whether a fetch message is in Redis (its ``.msgs`` hashes keep each one until it is
        acknowledged, so the messages held by workers count); None for the in-process broker,
        which holds only this process's."""
        if not isinstance(self.broker, RedisBroker):
            return None
        from archivist_workers.overview import queue_depths  # it reads the queue names from here

        fetch = next(depth for depth in queue_depths(self.broker) if depth.queue == FETCH_QUEUE)
        return fetch.waiting + fetch.delayed > 0

    def kept_since(self) -> datetime | None:
        """The start of the Redis server, unless it keeps an append-only file: a restart without
        one empties it, queues and delayed retries included. Redis counts its uptime in whole
        seconds from a start time rounded down, so the start it implies may be up to a second
        early (and its clock is read every 100 ms): the moment given is that plus a margin, so a
        message sent just before the restart is never taken for kept, while one sent in the
        server's first seconds may be taken for lost (sent again, which the actors absorb).
        None for the in-process broker, whose messages live and die with its process's actors,
        and for a Redis that does not say (INFO renamed away, or a proxy without an uptime).
        """
        if not isinstance(self.broker, RedisBroker):
            return None
        try:
            info = self.broker.client.info()
        except redis.ResponseError:
            return None
        except redis.RedisError as exc:
            raise QueueUnavailable(f"cannot ask the broker since when it holds its messages: {described(exc)}") from exc
        uptime = info.get("uptime_in_seconds")
        if info.get("aof_enabled") or not isinstance(uptime, int):
            return None
        return datetime.now(UTC) - timedelta(seconds=uptime - _UPTIME_MARGIN_SECONDS)

    def _enqueue_pipelined(self, queue: str, actor: str, capture_ids: Sequence[str], batch: int = 1000) -> None:
        """What ``RedisBroker.enqueue`` does per message, sent through one pipeline per batch.

        Dramatiq has no batch enqueue; one round trip per message caps submission at a few
        thousand a second. This calls the broker's own dispatch script with the arguments
        ``RedisBroker._dispatch`` would, and runs the middleware enqueue hooks as usual. Each
        message is built with the Redis message id that ``RedisBroker.enqueue`` would add by
        copying it, so it is built once, and only one batch of messages exists at a time.
        """
        broker = self.broker
        dispatch = broker.scripts["dispatch"]
        keys = [broker.namespace]
        for start in range(0, len(capture_ids), batch):
            chunk = [
                dramatiq.Message(queue_name=queue, actor_name=actor, args=(capture_id,), kwargs={},
                                 options={"redis_message_id": str(uuid4())})
                for capture_id in capture_ids[start : start + batch]
            ]
            with broker.client.pipeline(transaction=False) as pipe:
                for message in chunk:
                    broker.emit_before("enqueue", message, None)
                    dispatch(
                        keys=keys,
                        args=[
                            "enqueue", current_millis(), queue, broker.broker_id,
                            broker.heartbeat_timeout, broker.dead_message_ttl,
                            broker._should_do_maintenance("enqueue"), broker._max_unpack_size(),
                            message.options["redis_message_id"], message.encode(),
                        ],
                        client=pipe,
                    )
                pipe.execute()
            for message in chunk:
                broker.emit_after("enqueue", message, None)
