"""One contract for every blackboard: entries kept by kind, a stream with consumer groups."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError
from redis import Redis

from shopcrew.errors import KeyTypeError
from shopcrew.memory.blackboard.base import Blackboard, InMemoryBlackboard
from shopcrew.memory.blackboard.entries import (
    ApprovalNote,
    CampaignNote,
    CustomerComplaint,
    Entry,
    StockAlert,
)
from shopcrew.memory.blackboard.redis import RedisBlackboard
from shopcrew.memory.store.redis import RedisStore

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def complaint(n: int, *, at: datetime = T0) -> CustomerComplaint:
    return CustomerComplaint(
        id=f"c{n}",
        at=at,
        author="cs_agent",
        item_id=f"sku-{n}",
        product_id="p-1",
        order_id="#W0000001",
        text="arrived broken",
        severity="high",
    )


@pytest.fixture(params=["memory", "redis"])
def board(request: pytest.FixtureRequest) -> Iterator[Blackboard]:
    if request.param == "memory":
        yield InMemoryBlackboard(merchant_id="m-a", maxlen=50)
        return
    url, namespace = request.getfixturevalue("redis_url"), request.getfixturevalue("namespace")
    with (
        RedisStore.from_url(url, namespace=f"{namespace}:m-a") as store,
        RedisBlackboard.from_url(
            url, store=store, merchant_id="m-a", namespace=namespace, maxlen=50
        ) as redis_board,
    ):
        yield redis_board


def test_entries_come_back_by_kind_and_time(board: Blackboard) -> None:
    posted: list[Entry] = [
        complaint(1, at=T0),
        StockAlert(id="s1", at=T0 + timedelta(minutes=1), product_id="p-1", level=0),
        CampaignNote(id="n1", at=T0 + timedelta(minutes=2), campaign_id="cmp-1", text="pause"),
        ApprovalNote(
            id="a1",
            at=T0 + timedelta(minutes=3),
            thread_id="t-1",
            action="refund #W0000001",
            approved=True,
            reviewer="owner",
        ),
        complaint(2, at=T0 + timedelta(minutes=4)),
    ]
    for entry in reversed(posted):
        board.post(entry)
    assert board.entries() == posted
    assert board.entries(kind="complaint") == [posted[0], posted[4]]
    assert board.entries(since=T0 + timedelta(minutes=2)) == posted[2:]
    assert board.entries(kind="stock_alert", since=T0 + timedelta(minutes=2)) == []


def test_many_entries_are_all_returned(board: Blackboard) -> None:
    posted = [complaint(n, at=T0 + timedelta(seconds=n)) for n in range(130)]
    for entry in posted:
        board.post(entry)
    assert board.entries(kind="complaint") == posted


def test_each_group_sees_every_event_and_each_event_goes_to_one_consumer(
    board: Blackboard,
) -> None:
    ids = [board.publish(complaint(n)) for n in range(3)]
    first = board.consume("audit", "worker-1", count=2)
    second = board.consume("audit", "worker-2", count=10)
    assert [m.id for m in first + second] == ids
    assert [m.entry for m in first] == [complaint(0), complaint(1)]
    assert board.consume("audit", "worker-1") == []
    assert [m.id for m in board.consume("planner", "p-1", count=10)] == ids


def test_acknowledged_events_leave_the_pending_list(board: Blackboard) -> None:
    board.publish(complaint(1))
    board.publish(complaint(2))
    got = board.consume("audit", "w1", count=10)
    assert board.pending("audit") == 2
    assert board.ack("audit", got[0].id) == 1
    assert board.ack("audit", got[0].id) == 0
    assert board.pending("audit") == 1


def test_a_crashed_consumers_events_are_claimed_by_another(board: Blackboard) -> None:
    ids = [board.publish(complaint(n)) for n in range(3)]
    crashed = board.consume("audit", "worker-1", count=2)  # and never acknowledges
    assert board.claim_stale("audit", "worker-2", min_idle_ms=3_600_000) == []
    claimed = board.claim_stale("audit", "worker-2", min_idle_ms=0)
    assert claimed == crashed
    assert board.ack("audit", *(m.id for m in claimed)) == 2
    assert board.claim_stale("audit", "worker-2", min_idle_ms=0) == []
    assert [m.id for m in board.consume("audit", "worker-2")] == ids[2:]


def test_the_stream_stays_bounded(board: Blackboard) -> None:
    for n in range(400):
        board.publish(complaint(n))
    # Redis trims whole nodes of up to 100 entries ("MAXLEN ~"), never below maxlen.
    assert 50 <= board.length() <= 150
    assert len(board.consume("late", "w", count=1000)) == board.length()


def test_a_blocked_consumer_wakes_on_publish(board: Blackboard) -> None:
    got: list[str] = []
    waiter = threading.Thread(
        target=lambda: got.extend(m.id for m in board.consume("g", "w", block_ms=10_000))
    )
    board.consume("g", "w")  # creates the group before the publish
    waiter.start()
    sent = board.publish(complaint(1))
    waiter.join(timeout=15)
    assert got == [sent]


def test_entries_reject_unknown_fields_and_naive_times() -> None:
    with pytest.raises(ValidationError):
        StockAlert(product_id="p", level=1, colour="red")  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        StockAlert(product_id="p", level=1, at=datetime(2026, 1, 1))


def test_bad_merchant_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="merchant_id"):
        InMemoryBlackboard(merchant_id="a.b")


def test_a_foreign_key_at_the_stream_is_reported_and_kept(redis_url: str, namespace: str) -> None:
    with RedisBlackboard.from_url(redis_url, merchant_id="m-a", namespace=namespace) as board:
        with Redis.from_url(redis_url) as client:
            client.set(board.key, "not ours")
            with pytest.raises(KeyTypeError) as caught:
                board.publish(complaint(1))
            assert (caught.value.expected, caught.value.found) == ("stream", "string")
            with pytest.raises(KeyTypeError):
                board.consume("g", "w")
            assert client.get(board.key) == b"not ours"


def test_a_post_refused_by_the_stream_keeps_no_entry(redis_url: str, namespace: str) -> None:
    with RedisBlackboard.from_url(redis_url, merchant_id="m-a", namespace=namespace) as board:
        with Redis.from_url(redis_url) as client:
            client.set(board.key, "not ours")
            with pytest.raises(KeyTypeError) as caught:
                board.post(complaint(1))
            assert (caught.value.expected, caught.value.found) == ("stream", "string")
            assert board.entries() == []
            client.delete(board.key)
        sent = board.post(complaint(1))
        assert [m.id for m in board.consume("g", "w")] == [sent]
        assert board.entries() == [complaint(1)]


def test_readers_never_see_an_entry_before_its_event(redis_url: str, namespace: str) -> None:
    with RedisBlackboard.from_url(redis_url, merchant_id="m-a", namespace=namespace) as board:
        entries = f"{{{namespace}:m-a}}:store:i:blackboard.m-a.complaint"
        posted = threading.Event()

        def post_all() -> None:
            for n in range(300):
                board.post(complaint(n))
            posted.set()

        poster = threading.Thread(target=post_all)
        seen: set[tuple[int, int]] = set()
        with Redis.from_url(redis_url) as client:
            # One script reads both keys at one instant, between two other commands.
            both = client.register_script(
                "return {redis.call('HLEN', KEYS[1]), redis.call('XLEN', KEYS[2])}"
            )
            poster.start()
            while not posted.is_set():
                kept, sent = both(keys=[entries, board.key])
                seen.add((int(kept), int(sent)))
            poster.join()
        assert [(kept, sent) for kept, sent in seen if kept != sent] == []
        assert board.length() == len(board.entries()) == 300
