"""The IVR engine: flows as data, a pure interpreter, a validator, analytics.

``step(state, event) -> (state, effects)``: no clock, no I/O. Flows are
loaded from YAML by ``callcenter.config.ivr``; effects are carried out by
the Asterisk adapter (FastAGI) or the simulated switch.
"""

from ivr.analytics import FlowStats, NodeStats, flow_stats
from ivr.errors import FlowError, FlowLoop, IvrError, NaiveTime, UnexpectedEvent
from ivr.interpreter import IvrState, Waiting, start, step
from ivr.model import Flow, Program, Prompt, Schedule
from ivr.trace import CallTrace, TraceStep
from ivr.validate import Problem, validate_program

__all__ = [
    "CallTrace",
    "Flow",
    "FlowError",
    "FlowLoop",
    "FlowStats",
    "IvrError",
    "IvrState",
    "NaiveTime",
    "NodeStats",
    "Problem",
    "Program",
    "Prompt",
    "Schedule",
    "TraceStep",
    "UnexpectedEvent",
    "Waiting",
    "flow_stats",
    "start",
    "step",
    "validate_program",
]
