"""Plots for planners, drawn with matplotlib's Agg backend (no display needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402  (the backend must be set first)
import pandas as pd  # noqa: E402


def _with_gaps(times: pd.Series, values: pd.DataFrame) -> pd.DataFrame:
    """Insert an empty row after each day so lines break overnight."""
    frame = values.copy()
    frame.index = pd.DatetimeIndex(times)
    day = frame.index.normalize()
    breaks = frame.groupby(day).tail(1).index + pd.Timedelta(minutes=1)
    gaps = pd.DataFrame(index=pd.DatetimeIndex(breaks), columns=frame.columns, dtype=float)
    return pd.concat([frame.astype(float), gaps]).sort_index()


def plot_forecast(
    history: pd.DataFrame,
    forecast: pd.DataFrame,
    path: str | Path,
    history_weeks: int = 2,
) -> None:
    """Draw history and forecast per queue, one subplot each, to a PNG.

    Args:
        history: a history frame (``wfm.history``); its last
            ``history_weeks`` weeks are drawn.
        forecast: a forecast frame (``wfm.forecast``); the band between
            ``calls_lo`` and ``calls_hi`` is shaded when present.
        path: the image file.
        history_weeks: how much history to show before the forecast.
    """
    queues = sorted(set(forecast["queue"]) | set(history["queue"]))
    fig, axes = plt.subplots(len(queues), 1, figsize=(14, 3.2 * len(queues)), squeeze=False, sharex=True)
    for ax, queue in zip(axes[:, 0], queues):
        past = history[history["queue"] == queue]
        if not past.empty:
            cutoff = past["interval_start"].max() - pd.Timedelta(weeks=history_weeks)
            past = past[past["interval_start"] > cutoff]
            shown = _with_gaps(past["interval_start"], past[["offered"]])
            ax.plot(shown.index, shown["offered"], color="0.35", linewidth=0.9, label="offered (history)")
        ahead = forecast[forecast["queue"] == queue]
        if not ahead.empty:
            columns = [c for c in ("calls", "calls_lo", "calls_hi") if c in ahead.columns]
            shown = _with_gaps(ahead["interval_start"], ahead[columns])
            if "calls_lo" in shown and "calls_hi" in shown:
                ax.fill_between(
                    shown.index, shown["calls_lo"], shown["calls_hi"],
                    color="tab:blue", alpha=0.25, linewidth=0, label="prediction interval",
                )
            ax.plot(shown.index, shown["calls"], color="tab:blue", linewidth=1.0, label="forecast")
        ax.set_title(queue)
        ax.set_ylabel("calls per interval")
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left", fontsize="small")
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
