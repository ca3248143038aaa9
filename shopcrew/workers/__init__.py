"""Workers: processes that run crew events from Redis Streams, safely under crashes.

Producers call `EventQueue.enqueue(event)` (or `shopcrew enqueue`); `shopcrew worker`
processes, any number on any hosts, consume one consumer group. The design:

**Keys.** Everything of a merchant lives under the hash tag `{<namespace>:<merchant>}`
(`StreamKeys`): the stream, its dead-letter stream, the processed log, the per-thread
queues and leases, the shared store and its effect records. One merchant is one Redis
Cluster slot, so the Lua scripts below are atomic on a cluster too; merchants never share
a key.

**Order per thread.** `enqueue` appends the entry to the stream and its id to the thread's
queue in one script, so the queue holds the thread's events in stream order. A worker runs
an entry only when it is the head of its thread's queue; otherwise it holds it (deferred)
and looks again later. Finishing an event acknowledges it (`XACK`), pops it from the queue
and logs it, in one script: the next event of the thread becomes runnable exactly then.

**Never two at once.** Before running an event the worker takes the thread's lease (`SET
PX` with the worker's fencing token, unless another worker holds it), renewed by a heartbeat
thread while the event runs; the same script checks that the entry heads its thread's queue
and counts the attempt, so starting an event costs one round trip. A decision leases the
thread it resumes. Writes to the shared state check the token in the same script that
applies them, so a worker that lost its lease (paused past it) writes nothing. The HTTP
service takes the same leases (`ThreadLease`) for the runs it makes itself, so a server and a
worker, or two servers, never run one thread at once either.

**Crashes.** The heartbeat also resets the idle time of every entry the worker holds
(`XCLAIM ... JUSTID` of its own `XPENDING` entries, in one script). A worker that stops
beating, killed by SIGKILL for instance, leaves its entries idle; after `min_idle_ms` any
worker takes them over with `XAUTOCLAIM`, and the lease has expired by then. The run resumes
from the thread's last checkpoint (`RedisSaver`): when the thread's state already holds the
event, the graph continues with `invoke(None)` instead of starting again. A worker saves a
customer message twice (accepted, then its turn done or waiting) and any other event once
(done or waiting), with LangGraph's `durability="exit"`: see `shopcrew.graphs.crew.Checkpoints`.

**Side effects once.** Every write of a lane's adapters goes through `EffectLedger`: the
retail adapters write to `SharedRetailStore` (the store's changed orders and customers in
Redis), the store manager's listings and the planner's campaigns to `SharedRecordTable`s
(their changed records in Redis); the records, the idempotency record and the effect log
entry are committed by one script, keyed by the event id, the operation and its arguments
(see `shopcrew.workers.ledger`). Reads see the latest commit of any worker (within one event,
a record is read once; a write reads afresh). A re-run after a
crash, even one where the model decides again and draws new tool-call ids, finds the record
and returns the first result.

**Poison and invalid events.** An event that fails validation, or whose entry is not in its
thread's queue (added without `enqueue`), goes to the dead-letter stream at once with the
message. Each attempt is counted when it starts; an error is kept and the event retried after
a delay doubling from `retry_delay_s`; after `max_attempts` attempts (a worker killed while
running it counts too) the event goes to the dead-letter stream with its last error, its
attempts and its delivery count (`XPENDING`). Errors no retry can fix (an unknown approval
request, for example) dead-letter at once.

**Shutdown and outages.** `stop()` (the CLI calls it on SIGTERM and SIGINT) lets the event in
hand finish, then hands the held entries back (`XCLAIM IDLE`: claimable at once) and returns.
When Redis cannot be reached the loop retries with exponential backoff (50 ms to 5 s); with
AOF persistence (`appendfsync always`) a restarted server keeps every entry, pending list and
lease, and no event is lost.
"""

from shopcrew.workers._keys import StreamKeys
from shopcrew.workers.lane import Lane, open_lane, shared_adapters
from shopcrew.workers.lease import DEFAULT_LEASE_MS, ThreadLease
from shopcrew.workers.ledger import (
    Commit,
    EffectLedger,
    EffectScope,
    SharedRetailStore,
    effect_scope,
)
from shopcrew.workers.queue import DEFAULT_GROUP, DeadLetter, EventQueue, Processed
from shopcrew.workers.records import SharedRecordTable
from shopcrew.workers.settings import WorkerSettings, WorkerStats, default_consumer
from shopcrew.workers.worker import Worker

__all__ = [
    "DEFAULT_GROUP",
    "DEFAULT_LEASE_MS",
    "Commit",
    "DeadLetter",
    "EffectLedger",
    "EffectScope",
    "EventQueue",
    "Lane",
    "Processed",
    "SharedRecordTable",
    "SharedRetailStore",
    "StreamKeys",
    "ThreadLease",
    "Worker",
    "WorkerSettings",
    "WorkerStats",
    "default_consumer",
    "effect_scope",
    "open_lane",
    "shared_adapters",
]
