"""Properties of the sample flows under random callers.

Any keys, any lookup answers, any time of year: a call never raises, ends
in a bounded number of events with a terminal effect, every step ends with
one effect that waits or ends, and from every menu a caller meets a person
within a few answers (unless the menu is self-service on purpose).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callcenter.config.ivr import load_program
from ivr import effects as fx
from ivr.events import CallerHungUp, CallStarted, DigitsReceived, DigitTimeout, Event, LookupResult, PromptFinished
from ivr.interpreter import IvrState, start, step
from ivr.model import Menu, Program
from tests.unit.ivr.builders import SAMPLES

PROGRAMS = {name: load_program(SAMPLES / f"{name}.yaml") for name in ("main", "identify", "balance", "survey")}
CUSTOMERS = [
    {"id": f"C00{rank}", "name": f"Customer {rank}", "tier": f"A{rank}", "balance": str(rank * 1000)}
    for rank in range(1, 6)
]
MAX_EVENTS = 200
ENDINGS = (fx.EnterQueue, fx.Transfer, fx.Voicemail, fx.Hangup)
HUMAN = (fx.EnterQueue, fx.Transfer, fx.OfferCallback)

answers = st.one_of(
    st.sampled_from(list("0123456789*#")),
    st.sampled_from(["", "timeout", "hangup", "1000000016", "1000000017#", "12", "99"]),
    st.text(alphabet="0123456789#", max_size=12),
)
records = st.one_of(st.none(), st.sampled_from(CUSTOMERS))
times = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(timezone.utc))


def menu_of(program: Program, qualified: str) -> Menu | None:
    flow, _, node = qualified.rpartition("/")
    found = program.flows[flow or program.entry].nodes.get(node)
    return found if isinstance(found, Menu) else None


def is_self_service(program: Program, qualified: str) -> bool:
    flow = qualified.rpartition("/")[0] or program.entry
    menu = menu_of(program, qualified)
    return program.flows[flow].self_service_only or (menu is not None and menu.self_service_only)


def replies(effect: fx.Effect, at: datetime) -> list[Event]:
    """Every answer worth trying on the way to a person."""
    out: list[Event] = []
    if isinstance(effect, fx.Play):
        out.append(PromptFinished(at))
    elif isinstance(effect, fx.Lookup):
        out += [LookupResult(None, at), LookupResult(CUSTOMERS[0], at)]
    else:
        assert isinstance(effect, fx.CollectDigits)
        out += [DigitsReceived(k, at) for k in effect.choices]
        out += [DigitsReceived("1000000016", at), DigitTimeout(at)]
    return out


def reaches_a_person(state: IvrState, effect: fx.Effect, limit: int = 3000) -> bool:
    """Breadth-first over answers (states are values, so branching is free)."""
    todo: deque[tuple[IvrState, fx.Effect]] = deque([(state, effect)])
    for _ in range(limit):
        if not todo:
            return False
        current, waiting = todo.popleft()
        assert current.now is not None
        for event in replies(waiting, current.now + timedelta(seconds=1)):
            nxt, effects = step(current, event)
            if any(isinstance(e, HUMAN) for e in effects):
                return True
            if not nxt.done:
                todo.append((nxt, effects[-1]))
    return False


def walk(program: Program, at: datetime, keys: list[str], lookups: list[Mapping[str, str] | None],
         channel_vars: dict[str, str]) -> tuple[IvrState, list[fx.Effect], list[tuple[IvrState, fx.Effect]]]:
    """Run one call; return the end state, every effect, and each menu moment."""
    keys_left, lookups_left = iter(keys), iter(lookups)
    state, effects = step(start(program), CallStarted("+886912345678", "5000", at, channel_vars, "p"))
    every = list(effects)
    menus: list[tuple[IvrState, fx.Effect]] = []
    for _ in range(MAX_EVENTS):
        if state.done:
            return state, every, menus
        assert effects, "a call still in the IVR always has something to do"
        assert all(not e.waits and not e.ends for e in effects[:-1]) and effects[-1].waits
        waiting = effects[-1]
        now = (state.now or at) + timedelta(seconds=2)
        event: Event
        if isinstance(waiting, fx.Play):
            event = PromptFinished(now)
        elif isinstance(waiting, fx.Lookup):
            event = LookupResult(next(lookups_left, None), now)
        else:
            assert isinstance(waiting, fx.CollectDigits)
            if menu_of(program, waiting.node) is not None:
                menus.append((state, waiting))
            answer = next(keys_left, "timeout")  # a silent caller when the keys run out
            event = (DigitTimeout(now) if answer == "timeout" else CallerHungUp(now) if answer == "hangup"
                     else DigitsReceived(answer, now))
        state, effects = step(state, event)
        every += effects
    raise AssertionError(f"no end after {MAX_EVENTS} events: {state.path[-10:]}")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(sorted(PROGRAMS)),
    at=times,
    keys=st.lists(answers, max_size=25),
    lookups=st.lists(records, max_size=6),
    tier=st.sampled_from(["", "A1", "A3", "A5"]),
)
def test_random_callers_always_end_cleanly(
    name: str, at: datetime, keys: list[str], lookups: list[Mapping[str, str] | None], tier: str
) -> None:
    program = PROGRAMS[name]
    state, effects, _ = walk(program, at, keys, lookups, {"tier": tier} if tier else {})
    trace = state.trace()
    if trace.outcome == "caller_hangup":
        assert not effects or not effects[-1].ends or isinstance(effects[-1], fx.RecordSurvey)
    else:
        assert isinstance(effects[-1], ENDINGS)
        assert [e for e in effects if e.ends] == [effects[-1]]
    assert trace.human == any(isinstance(e, HUMAN) for e in effects)
    assert len(trace.steps) >= 1 and trace.ended_at >= trace.started_at


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    at=times,
    keys=st.lists(st.sampled_from(list("0123459") + ["1000000016"]), max_size=12),
    lookups=st.lists(records, max_size=6),
)
def test_from_every_menu_a_person_is_reachable(
    at: datetime, keys: list[str], lookups: list[Mapping[str, str] | None]
) -> None:
    for name in ("main", "balance"):
        program = PROGRAMS[name]
        _, _, menus = walk(program, at, keys, lookups, {})
        for state, asking in menus:
            assert isinstance(asking, fx.CollectDigits)
            if not is_self_service(program, asking.node):
                assert reaches_a_person(state, asking), f"{name}: no person from {asking.node} at {at}"


def test_the_search_for_a_person_can_fail(tmp_path: Path) -> None:
    path = tmp_path / "trap.yaml"
    path.write_text(
        "start: m\nnodes:\n"
        "  m: {kind: menu, prompt: x, options: {'1': m, '2': bye}}\n"
        "  bye: {kind: hangup}\n"
    )
    program = load_program(path)
    state, effects = step(start(program), CallStarted("1", "2", datetime(2026, 3, 2, tzinfo=timezone.utc)))
    assert not reaches_a_person(state, effects[-1])
