"""Per-flow figures from hand-built traces, and the JSON-lines form."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from ivr.analytics import flow_stats
from ivr.trace import CallTrace, TraceFormatError, TraceStep, from_dict, to_dict
from tests.unit.ivr.builders import Call, program

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)


def trace(path: list[tuple[str, float]], end: float, outcome: str, human: bool, flow: str = "main") -> CallTrace:
    steps = tuple(
        TraceStep(node.partition("/")[0] if "/" in node else flow, node.rpartition("/")[2], T0 + timedelta(seconds=at))
        for node, at in path
    )
    return CallTrace(flow, T0, T0 + timedelta(seconds=end), steps, outcome, human)  # type: ignore[arg-type]


TRACES = [
    trace([("welcome", 0), ("menu", 3), ("sales", 10)], 10, "queue", True),
    trace([("welcome", 0), ("menu", 3)], 8, "caller_hangup", False),
    trace([("welcome", 0), ("menu", 3), ("balance/say", 6), ("bye", 12)], 12, "hangup", False),
    trace([("welcome", 0), ("menu", 3), ("menu", 7), ("agent", 14)], 14, "queue", True),
    trace([("ask", 0)], 20, "hangup", False, flow="survey"),
]


def test_node_figures() -> None:
    stats = flow_stats(TRACES)
    assert set(stats) == {"main", "survey"}
    main = stats["main"]
    assert list(main.nodes) == ["welcome", "menu", "sales", "balance/say", "bye", "agent"]
    menu = main.nodes["menu"]
    assert (menu.visits, menu.calls, menu.drop_offs) == (5, 4, 1)
    assert menu.exits == {"sales": 1, "balance/say": 1, "menu": 1, "agent": 1}
    assert menu.mean_dwell_s == pytest.approx((7 + 5 + 3 + 4 + 7) / 5)
    assert main.nodes["welcome"].exits == {"menu": 4} and main.nodes["welcome"].mean_dwell_s == 3
    assert main.nodes["sales"].ends == {"queue": 1} and main.nodes["bye"].ends == {"hangup": 1}
    assert main.nodes["menu"].ends == {}


def test_flow_figures() -> None:
    main = flow_stats(TRACES)["main"]
    assert main.calls == 4 and main.outcomes == {"queue": 2, "caller_hangup": 1, "hangup": 1}
    assert (main.contained, main.containment_rate) == (1, 0.25)
    assert (main.reached_human, main.drop_offs, main.drop_off_rate) == (2, 1, 0.25)
    assert (main.mean_time_s, main.median_time_s, main.p90_time_s) == (11.0, 10.0, 14.0)
    assert flow_stats([]) == {}


def test_voicemail_and_no_input_are_not_contained() -> None:
    stats = flow_stats([trace([("vm", 0)], 5, "voicemail", False), trace([("m", 0)], 9, "no_input", False)])
    assert stats["main"].contained == 0


def test_json_lines_round_trip() -> None:
    for original in TRACES:
        assert from_dict(to_dict(original)) == original
    data = to_dict(TRACES[0])
    with pytest.raises(TraceFormatError, match="missing field 'path'"):
        from_dict({k: v for k, v in data.items() if k != "path"})
    with pytest.raises(TraceFormatError, match="unknown outcome 'lost'"):
        from_dict({**data, "outcome": "lost"})
    with pytest.raises(TraceFormatError):
        from_dict({**data, "started_at": "yesterday"})


def test_traces_from_the_interpreter(tmp_path: Path) -> None:
    prog = program(tmp_path, """\
        start: menu
        nodes:
          menu: {kind: menu, prompt: x, options: {"1": bye, "0": agent}, on_failure: agent}
          bye: {kind: hangup}
          agent: {kind: queue, queue: support}
        """)
    traces = []
    for keys in ("1", "0", "1", None):
        call = Call(prog)
        call.press(keys) if keys else call.hang_up()
        traces.append(call.state.trace())
    stats = flow_stats(traces)["main"]
    assert (stats.calls, stats.contained, stats.reached_human, stats.drop_offs) == (4, 2, 1, 1)
    assert stats.nodes["menu"].exits == {"bye": 2, "agent": 1}
    assert stats.nodes["menu"].mean_dwell_s == pytest.approx(1.0)  # each answer comes 1 s later
