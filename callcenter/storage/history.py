"""Interval history from the interaction records, for WFM forecasting.

Returns the same frame as ``wfm.history.read_history_csv`` (through
``wfm.history.validate_history``): one row per queue and interval with
offered, handled, AHT and abandoned. Calls are bucketed by ARRIVAL time in
the center's time zone, as ``acd.metrics`` does.

Per interval and queue:

* offered   = inbound interactions that entered the queue;
* handled   = of those, answered by an agent;
* aht_s     = mean over handled calls that ended of
              (wrap_up_end or ended_at) - answered_at   (talk + hold + wrap-up);
* abandoned = of those, the caller hung up before an answer.

Intervals of the day the center was seen open (the earliest to the latest
interval with a call, over the whole span) are filled with zeros on days
when nothing came, so a quiet interval reads as 0 and not as missing.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import select

from callcenter.storage.db import Database
from callcenter.storage.models import InteractionRow
from wfm.history import HistoryError, validate_history


async def interval_history(
    db: Database,
    *,
    interval_min: int = 30,
    timezone: str = "UTC",
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> pd.DataFrame:
    """Interval history per queue from the interactions in ``db``.

    Args:
        db: a connected database.
        interval_min: 15 or 30.
        timezone: IANA zone the intervals are local to (the center's).
        since: first arrival to count (aware datetime), inclusive.
        until: last arrival to count (aware datetime), exclusive.

    Raises:
        wfm.history.HistoryError: no queued interactions in the span, or a
            bad interval length.
    """
    query = select(
        InteractionRow.queue,
        InteractionRow.arrived_at,
        InteractionRow.answered_at,
        InteractionRow.ended_at,
        InteractionRow.wrap_up_end,
        InteractionRow.abandoned,
    ).where(InteractionRow.queue.is_not(None), InteractionRow.direction == "inbound")
    if since is not None:
        query = query.where(InteractionRow.arrived_at >= since)
    if until is not None:
        query = query.where(InteractionRow.arrived_at < until)
    async with db.session() as session:
        rows = (await session.execute(query)).all()
    calls = pd.DataFrame(rows, columns=["queue", "arrived_at", "answered_at", "ended_at", "wrap_up_end", "abandoned"])
    source = "interaction records"
    if calls.empty:
        raise HistoryError(f"{source}: no queued inbound calls in the span")
    zone = ZoneInfo(timezone)
    for column in ("arrived_at", "answered_at", "ended_at", "wrap_up_end"):
        # SQLite hands back naive datetimes; every stored time is UTC.
        calls[column] = pd.to_datetime(calls[column], utc=True)
    local = calls["arrived_at"].dt.tz_convert(zone).dt.tz_localize(None)
    calls["interval_start"] = local.dt.floor(f"{interval_min}min")
    calls["handled"] = calls["answered_at"].notna().astype("int64")
    calls["abandoned"] = (calls["abandoned"].astype(bool) & calls["answered_at"].isna()).astype("int64")
    work_end = calls["wrap_up_end"].fillna(calls["ended_at"])
    calls["handle_s"] = (work_end - calls["answered_at"]).dt.total_seconds()
    grouped = calls.groupby(["queue", "interval_start"])
    frame = pd.DataFrame(
        {
            "offered": grouped.size(),
            "handled": grouped["handled"].sum(),
            "aht_s": grouped["handle_s"].mean(),  # NaN handle times (not ended) are skipped
            "abandoned": grouped["abandoned"].sum(),
        }
    ).reset_index()
    frame = _fill_open_hours(frame, interval_min)
    return validate_history(frame, source=source)


def _fill_open_hours(frame: pd.DataFrame, interval_min: int) -> pd.DataFrame:
    """Zero rows for every open interval of every day in the span, per queue."""
    starts = frame["interval_start"]
    offsets = starts - starts.dt.normalize()
    first, last = offsets.min(), offsets.max()
    days = pd.date_range(starts.min().normalize(), starts.max().normalize(), freq="D")
    step = pd.Timedelta(minutes=interval_min)
    times = [day + first + k * step for day in days for k in range(int((last - first) / step) + 1)]
    grid = pd.MultiIndex.from_product([sorted(frame["queue"].unique()), times], names=["queue", "interval_start"])
    full = frame.set_index(["queue", "interval_start"]).reindex(grid)
    full[["offered", "handled", "abandoned"]] = full[["offered", "handled", "abandoned"]].fillna(0)
    full["aht_s"] = full["aht_s"].fillna(0.0)
    return full.reset_index()
