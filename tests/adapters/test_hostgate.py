"""Host politeness state, shared through Redis or held in one process."""

from __future__ import annotations

import time

import pytest

from archivist.adapters.hostgate import LocalHostGate, RedisHostGate


@pytest.fixture(params=["redis", "local"])
def gate(request: pytest.FixtureRequest):
    if request.param == "local":
        return LocalHostGate(concurrency=1)
    return RedisHostGate(request.getfixturevalue("redis_url"), concurrency=1, slot_ttl=60,
                         namespace=request.getfixturevalue("redis_namespace"))


def test_successive_reservations_are_spaced(gate) -> None:
    waits = [gate.reserve("example.com", 2.0, 60) for _ in range(3)]
    assert waits[0] == pytest.approx(0, abs=0.05)
    assert waits[1] == pytest.approx(2.0, abs=0.1)
    assert waits[2] == pytest.approx(4.0, abs=0.1)
    assert gate.reserve("other.example", 2.0, 60) == pytest.approx(0, abs=0.05)


def test_a_slot_past_the_longest_wait_is_reported_but_not_taken(gate) -> None:
    """A caller that will not wait that long books nothing: the host stays free for the next."""
    assert gate.reserve("example.com", 2.0, 3) == pytest.approx(0, abs=0.05)
    assert gate.reserve("example.com", 2.0, 3) == pytest.approx(2.0, abs=0.1)
    for _ in range(3):
        assert gate.reserve("example.com", 2.0, 3) == pytest.approx(4.0, abs=0.1)  # too far: not taken
    assert gate.reserve("example.com", 2.0, 10) == pytest.approx(4.0, abs=0.1)  # still free for a patient caller


def test_hold_off_pushes_the_next_slot(gate) -> None:
    gate.hold_off("example.com", 30)
    assert gate.reserve("example.com", 1.0, 60) == pytest.approx(30, abs=0.5)
    gate.hold_off("example.com", 1)  # a shorter hold never shortens a longer one
    assert gate.reserve("example.com", 1.0, 60) == pytest.approx(31, abs=0.5)


def test_concurrency_slots_are_limited_and_released(gate) -> None:
    with gate.slot("example.com") as first:
        assert first
        with gate.slot("example.com") as second:
            assert not second
        with gate.slot("other.example") as elsewhere:
            assert elsewhere
    with gate.slot("example.com") as again:
        assert again


def test_two_gates_on_one_redis_share_state(redis_url: str, redis_namespace: str) -> None:
    one, two = (RedisHostGate(redis_url, concurrency=1, slot_ttl=60, namespace=redis_namespace) for _ in range(2))
    assert one.reserve("example.com", 5.0, 60) == pytest.approx(0, abs=0.05)
    assert two.reserve("example.com", 5.0, 60) == pytest.approx(5.0, abs=0.1)


def test_an_abandoned_slot_frees_itself(redis_url: str, redis_namespace: str) -> None:
    """A worker killed while holding a slot never releases it: its lease runs out instead."""
    gate = RedisHostGate(redis_url, concurrency=1, slot_ttl=0.5, namespace=redis_namespace)
    held = gate.slot("example.com")
    assert held.__enter__()  # taken and never released, as by a SIGKILLed worker
    with gate.slot("example.com") as blocked:
        assert not blocked
    time.sleep(0.6)
    with gate.slot("example.com") as freed:
        assert freed


def test_a_turn_that_is_now_holds_a_slot_until_its_block_ends(gate) -> None:
    with gate.turn("example.com", 2.0, 60) as (wait, holding):
        assert wait == pytest.approx(0, abs=0.05)
        assert holding
        with gate.slot("example.com") as second:
            assert not second
    with gate.slot("example.com") as again:
        assert again
    assert gate.reserve("example.com", 2.0, 60) == pytest.approx(2.0, abs=0.1)  # the turn booked its spacing


def test_a_turn_to_wait_for_holds_no_slot_and_one_too_far_books_nothing(gate) -> None:
    gate.reserve("example.com", 2.0, 60)
    with gate.turn("example.com", 2.0, 60) as (wait, holding):
        assert wait == pytest.approx(2.0, abs=0.1)
        assert not holding
        with gate.slot("example.com") as free:
            assert free
    with gate.turn("example.com", 2.0, 1) as (wait, holding):
        assert wait == pytest.approx(4.0, abs=0.1)
        assert not holding
    assert gate.reserve("example.com", 2.0, 60) == pytest.approx(4.0, abs=0.1)


def test_a_turn_finds_a_full_host_full(gate) -> None:
    with gate.slot("example.com") as first:
        assert first
        with gate.turn("example.com", 0.0, 60) as (wait, holding):
            assert wait == pytest.approx(0, abs=0.05)
            assert not holding
    with gate.turn("example.com", 0.0, 60) as (_, holding):
        assert holding


def test_a_turn_drops_an_abandoned_lease_when_the_host_looks_full(redis_url: str, redis_namespace: str) -> None:
    gate = RedisHostGate(redis_url, concurrency=1, slot_ttl=0.5, namespace=redis_namespace)
    assert gate.slot("example.com").__enter__()  # never released, as by a SIGKILLed worker
    time.sleep(0.6)
    with gate.turn("example.com", 0.0, 60) as (_, holding):
        assert holding


def test_robots_txt_is_loaded_by_one_of_many_gates_at_once(redis_url: str, redis_namespace: str) -> None:
    """Gates of several worker processes asking at once: one loads, the others get its answer; a
    load that failed keeps nothing, so the next caller loads again."""
    from concurrent.futures import ThreadPoolExecutor

    gates = [RedisHostGate(redis_url, concurrency=1, slot_ttl=60, namespace=redis_namespace) for _ in range(3)]
    loads: list[int] = []

    def load() -> str:
        loads.append(1)
        time.sleep(0.3)
        return "User-agent: *\nDisallow: /private/\n"

    with ThreadPoolExecutor(3) as pool:
        answers = list(pool.map(lambda g: g.robots("http://example.com", 3600, load), gates))
    assert len(loads) == 1
    assert {text for _, text in answers} == {"User-agent: *\nDisallow: /private/\n"}
    assert all(expires == pytest.approx(time.time() + 3600, abs=5) for expires, _ in answers)

    def fail() -> str | None:
        raise RuntimeError("robots.txt answered 503")

    with pytest.raises(RuntimeError):
        gates[0].robots("http://other.example", 3600, fail)
    assert gates[1].robots("http://other.example", 3600, lambda: None)[1] is None


def test_hosts_whose_clocks_differ_still_space_their_requests(
    redis_url: str, redis_namespace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Spacing is kept on the Redis server's clock: a worker host whose clock runs 5 s ahead
    took the host's next slot at once, its "now" being past the slot another host had booked."""
    on_time, ahead = (RedisHostGate(redis_url, concurrency=2, slot_ttl=60, namespace=redis_namespace)
                      for _ in range(2))
    assert on_time.reserve("example.com", 2.0, 60) == pytest.approx(0, abs=0.05)
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 5)
    assert ahead.reserve("example.com", 2.0, 60) == pytest.approx(2.0, abs=0.1)
    with ahead.turn("example.com", 2.0, 60) as (wait, holding):
        assert wait == pytest.approx(4.0, abs=0.1) and not holding
    ahead.hold_off("example.com", 10)
    monkeypatch.setattr(time, "time", real)
    assert on_time.reserve("example.com", 2.0, 60) == pytest.approx(10, abs=0.1)
