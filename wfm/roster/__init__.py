"""Rosters with OR-Tools CP-SAT: who works which shift, with breaks placed.

Two levels: :func:`solve_shift_coverage` (how many agents on each shift
option each day) and :func:`solve_roster` (which agent works which shift,
under contracts, availability, rest, days off, break cap and preferences).
"""

from wfm.roster.defaults import DEFAULT_BREAKS, DEFAULT_CONTRACT, DEFAULT_TEMPLATES, generate_agents
from wfm.roster.diagnose import ContractConflict, ContractConflictError, check_contracts
from wfm.roster.horizon import Horizon, ShiftOption
from wfm.roster.output import ROSTER_COLUMNS, roster_csv, summary, write_roster_csv
from wfm.roster.problem import Prepared, RosterProblem
from wfm.roster.requirements import (
    RequirementRow,
    RequirementsError,
    RequirementTable,
    parse_requirements,
    read_requirements,
    requirement_grid,
)
from wfm.roster.result import AgentHours, Assignment, BreakPlacement, Coverage, RosterResult, Shortfall
from wfm.roster.rules import (
    Agent,
    BreakCap,
    BreakRule,
    Contract,
    ObjectiveWeights,
    Preference,
    PreferredDayOff,
    PreferredShift,
    RosterError,
    RuleError,
    ShiftTemplate,
    Unavailability,
)
from wfm.roster.solve import (
    CoverageSolution,
    Progress,
    ShiftCount,
    SolveOptions,
    solve_roster,
    solve_shift_coverage,
)

__all__ = [
    "DEFAULT_BREAKS",
    "DEFAULT_CONTRACT",
    "DEFAULT_TEMPLATES",
    "ROSTER_COLUMNS",
    "Agent",
    "AgentHours",
    "Assignment",
    "BreakCap",
    "BreakPlacement",
    "BreakRule",
    "Contract",
    "ContractConflict",
    "ContractConflictError",
    "Coverage",
    "CoverageSolution",
    "Horizon",
    "ObjectiveWeights",
    "Preference",
    "PreferredDayOff",
    "PreferredShift",
    "Prepared",
    "Progress",
    "RequirementRow",
    "RequirementTable",
    "RequirementsError",
    "RosterError",
    "RosterProblem",
    "RosterResult",
    "RuleError",
    "ShiftCount",
    "ShiftOption",
    "ShiftTemplate",
    "Shortfall",
    "SolveOptions",
    "Unavailability",
    "check_contracts",
    "generate_agents",
    "parse_requirements",
    "read_requirements",
    "requirement_grid",
    "roster_csv",
    "solve_roster",
    "solve_shift_coverage",
    "summary",
    "write_roster_csv",
]
