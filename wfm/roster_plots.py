"""Roster plots: coverage curve and roster chart (matplotlib Agg, no display needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402  (the backend must be set first)
from matplotlib.colors import ListedColormap  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from wfm.roster.result import RosterResult  # noqa: E402


def plot_coverage(result: RosterResult, path: str | Path) -> None:
    """Required vs scheduled agents per interval, one panel per skill.

    Scheduled counts deduct breaks; short intervals are shaded red.
    """
    cov = result.coverage
    skills = list(cov.required)
    fig, axes = plt.subplots(len(skills), 1, figsize=(12, 2.8 * max(1, len(skills))), squeeze=False, sharex=True)
    times = list(cov.interval_starts)
    for ax, skill in zip(axes[:, 0], skills):
        required = list(cov.required[skill])
        scheduled = list(cov.scheduled[skill])
        ax.step(times, required, where="post", label="required", color="tab:blue")
        ax.step(times, scheduled, where="post", label="scheduled", color="tab:orange")
        ax.fill_between(
            times, scheduled, required, where=[r > s for r, s in zip(required, scheduled)],
            step="post", color="tab:red", alpha=0.3, label="short",
        )
        ax.set_ylabel("agents")
        ax.set_title(f"{skill}: required vs scheduled")
        ax.legend(loc="upper right", fontsize="small")
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_roster(result: RosterResult, path: str | Path, max_agents: int = 250) -> None:
    """Agents x days, each cell coloured by the shift template worked (blank: day off).

    Args:
        result: the solved roster.
        path: the PNG file.
        max_agents: draw at most this many agents (the first by id).
    """
    agents = sorted({a.agent_id for a in result.assignments})[:max_agents]
    days = sorted({iv.date() for iv in result.coverage.interval_starts})
    templates = sorted({a.template for a in result.assignments})
    row = {agent: i for i, agent in enumerate(agents)}
    col = {day: j for j, day in enumerate(days)}
    grid = [[0] * len(days) for _ in agents]
    for a in result.assignments:
        if a.agent_id in row and a.date in col:
            grid[row[a.agent_id]][col[a.date]] = templates.index(a.template) + 1
    palette = ["#ffffff"] + [plt.get_cmap("tab10")(i % 10) for i in range(len(templates))]
    fig, ax = plt.subplots(figsize=(max(6, 0.35 * len(days) + 3), max(3, 0.12 * len(agents) + 2)))
    ax.imshow(grid or [[0]], aspect="auto", interpolation="nearest", cmap=ListedColormap(palette), vmin=0, vmax=len(templates))
    ax.set_xticks(range(len(days)))
    ax.set_xticklabels([f"{d:%a %d}" for d in days], rotation=90, fontsize="small")
    step = max(1, len(agents) // 40)
    ax.set_yticks(range(0, len(agents), step))
    ax.set_yticklabels(agents[::step], fontsize="x-small")
    ax.set_xlabel("day")
    ax.set_ylabel("agent")
    ax.set_title("roster")
    ax.legend(
        handles=[Patch(color=palette[i + 1], label=t) for i, t in enumerate(templates)] + [Patch(color="#ffffff", label="off")],
        loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small",
    )
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
