"""Per-flow figures from finished call traces.

For each node: visits, distinct calls, where calls went next, drop-offs
(the caller hung up there), calls that ended there, and the mean time
spent there. For each flow: outcomes, containment, time in the IVR.

*Contained* means the flow itself ended the call in self-service (a hangup
node or the entry flow returning) without a queue, transfer or callback.
Voicemail is not contained (a person will listen), and a caller who hangs
up is a drop-off, not a success: counting drop-offs as contained would
reward a flow that drives callers away.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ivr.trace import CallTrace, TraceStep


@dataclass(frozen=True, slots=True)
class NodeStats:
    node: str
    visits: int
    calls: int
    exits: Mapping[str, int]
    drop_offs: int
    ends: Mapping[str, int]
    mean_dwell_s: float


@dataclass(frozen=True, slots=True)
class FlowStats:
    flow: str
    calls: int
    outcomes: Mapping[str, int]
    contained: int
    reached_human: int
    drop_offs: int
    mean_time_s: float
    median_time_s: float
    p90_time_s: float
    nodes: Mapping[str, NodeStats]

    @property
    def containment_rate(self) -> float:
        return self.contained / self.calls if self.calls else 0.0

    @property
    def drop_off_rate(self) -> float:
        return self.drop_offs / self.calls if self.calls else 0.0


def node_name(trace: CallTrace, step: TraceStep) -> str:
    """As in ``ivr_path``: bare in the entry flow, ``flow/node`` in a subflow."""
    return step.node if step.flow == trace.flow else f"{step.flow}/{step.node}"


def flow_stats(traces: Iterable[CallTrace]) -> dict[str, FlowStats]:
    """Figures per entry flow, nodes in order of first visit."""
    by_flow: dict[str, list[CallTrace]] = defaultdict(list)
    for trace in traces:
        by_flow[trace.flow].append(trace)
    return {flow: _one_flow(flow, group) for flow, group in by_flow.items()}


def _one_flow(flow: str, traces: list[CallTrace]) -> FlowStats:
    visits: Counter[str] = Counter()
    calls: Counter[str] = Counter()
    exits: dict[str, Counter[str]] = defaultdict(Counter)
    drops: Counter[str] = Counter()
    ends: dict[str, Counter[str]] = defaultdict(Counter)
    dwell: dict[str, float] = defaultdict(float)
    order: dict[str, None] = {}
    for trace in traces:
        names = [node_name(trace, s) for s in trace.steps]
        for name in names:
            order.setdefault(name, None)
        visits.update(names)
        calls.update(set(names))
        for i, name in enumerate(names):
            left = trace.steps[i + 1].at if i + 1 < len(names) else trace.ended_at
            dwell[name] += (left - trace.steps[i].at).total_seconds()
            if i + 1 < len(names):
                exits[name][names[i + 1]] += 1
        if names:
            if trace.outcome == "caller_hangup":
                drops[names[-1]] += 1
            else:
                ends[names[-1]][trace.outcome] += 1
    nodes = {
        name: NodeStats(
            node=name, visits=visits[name], calls=calls[name], exits=dict(exits[name]), drop_offs=drops[name],
            ends=dict(ends[name]), mean_dwell_s=dwell[name] / visits[name],
        )
        for name in order
    }
    durations = sorted(t.duration_s for t in traces)
    return FlowStats(
        flow=flow,
        calls=len(traces),
        outcomes=dict(Counter(t.outcome for t in traces)),
        contained=sum(t.contained for t in traces),
        reached_human=sum(t.human for t in traces),
        drop_offs=sum(t.outcome == "caller_hangup" for t in traces),
        mean_time_s=sum(durations) / len(durations),
        median_time_s=_percentile(durations, 0.5),
        p90_time_s=_percentile(durations, 0.9),
        nodes=nodes,
    )


def _percentile(ordered: list[float], q: float) -> float:
    """Nearest-rank percentile of sorted values."""
    rank = max(1, math.ceil(q * len(ordered)))
    return ordered[rank - 1]
