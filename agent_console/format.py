"""How numbers, times and states are written on the consoles."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

# Tier badge colours: the bank's five profit tiers, A1 the most valuable.
TIER_STYLES = {
    "A1": "bold black on #d4af37",  # gold
    "A2": "bold black on #c0c0c0",  # silver
    "A3": "bold white on #2e7d32",
    "A4": "bold white on #546e7a",
    "A5": "bold white on #b71c1c",
}
UNKNOWN_TIER_STYLE = "bold white on #424242"

STATE_LABELS = {
    "logged_out": "LOGGED OUT",
    "ready": "READY",
    "reserved": "RINGING",
    "busy": "ON CALL",
    "held": "ON HOLD",
    "wrap_up": "WRAP-UP",
    "not_ready": "NOT READY",
}
STATE_STYLES = {
    "logged_out": "dim",
    "ready": "bold green",
    "reserved": "bold yellow",
    "busy": "bold cyan",
    "held": "bold magenta",
    "wrap_up": "bold blue",
    "not_ready": "bold red",
}

_BARS = "▁▂▃▄▅▆▇█"


def duration(seconds: float | None) -> str:
    """``m:ss`` under an hour, ``h:mm:ss`` above; a dash for None."""
    if seconds is None:
        return "–"
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def percent(value: float | None) -> str:
    """A 0-1 ratio as a whole percentage; a dash for None."""
    return "–" if value is None else f"{value * 100:.0f}%"


def money(value: float | None) -> str:
    """A sum with thousands separators; a dash for None."""
    return "–" if value is None else f"{value:,.0f}"


def state_label(state: str) -> str:
    return STATE_LABELS.get(state, state.upper())


def state_style(state: str) -> str:
    return STATE_STYLES.get(state, "")


def tier_style(tier: str | None) -> str:
    return TIER_STYLES.get(tier or "", UNKNOWN_TIER_STYLE)


def clock_time(t: float | None, tz: dt.tzinfo | None = None) -> str:
    """``HH:MM`` of a service time (local zone unless given)."""
    if t is None:
        return "–"
    return dt.datetime.fromtimestamp(t, tz or dt.timezone.utc).strftime("%H:%M")


def day(t: float | None) -> str:
    """``YYYY-MM-DD`` of a time (UTC, as the service stores it)."""
    if t is None:
        return "–"
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%d")


def sparkline(values: Sequence[float], width: int) -> str:
    """The last ``width`` values as block characters, scaled to their maximum.

    Zero is the lowest bar, so an idle hour reads as a flat line.
    """
    tail = list(values)[-width:]
    if not tail:
        return ""
    top = max(tail)
    if top <= 0:
        return _BARS[0] * len(tail)
    return "".join(_BARS[min(len(_BARS) - 1, int(v / top * (len(_BARS) - 1) + 0.5))] for v in tail)
