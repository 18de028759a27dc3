"""The pieces of the supervisor screen: summary line, wallboard, agent grid, alerts."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import RenderableType
from rich.text import Text
from textual.reactive import reactive
from textual.widgets import DataTable, Static

from agent_console.board import Alert, Board
from agent_console.format import duration, percent, sparkline, state_label, state_style
from agent_console.model import AgentRow, QueueStats

SPARK_WIDTH = 14
ABANDON_LIMIT = 0.05  # abandon rate above which the cell turns red


class SummaryBar(Static):
    """Center totals and the server link on one line."""

    line: reactive[Text] = reactive(Text)

    def render(self) -> RenderableType:
        return self.line


def summary_line(board: Board, link: str, spying: str) -> Text:
    waiting = sum(q.waiting for q in board.queues.values())
    text = Text.assemble((" Wallboard ", "bold reverse"), f" {waiting} waiting · {board.agents_ready} ready · ",
                         f"SL today {percent(board.sl_today)} · handled {board.calls_handled}")
    if not board.switch_connected:
        text.append(" · SWITCH DOWN", "bold red")
    if spying:
        text.append(f" · {spying}", "bold magenta")
    text.append(" │ ", "dim")
    text.append(link or "online", "bold red" if link else "green")
    return text


def _cell(text: str, bad: bool = False, warn: bool = False) -> Text:
    return Text(text, style="bold red" if bad else ("yellow" if warn else ""), justify="right")


class _Table(DataTable[Text]):
    """A table redrawn from whole rows: only the cells that changed are
    updated, so a busy floor does not rebuild the table on every event."""

    def put_rows(self, rows: Sequence[tuple[str, list[Text]]]) -> None:
        shown = [str(key.value) for key in self.rows]
        if shown != [key for key, _ in rows]:
            self.clear()
            for key, cells in rows:
                self.add_row(*cells, key=key)
            return
        columns = list(self.columns)
        for key, cells in rows:
            for column, (old, new) in zip(columns, zip(self.get_row(key), cells)):
                if old != new:
                    self.update_cell(key, column, new, update_width=True)


class Wallboard(_Table):
    """One row per queue, against its targets, with the last hour's waiting callers."""

    COLUMNS = ("Queue", "Wait", "Max", "SL", "SL30", "ASA", "AHT", "Abn", "Waiting, last hour")

    def on_mount(self) -> None:
        self.cursor_type = "none"
        self.zebra_stripes = False
        for label in self.COLUMNS:
            self.add_column(label, key=label)

    def show(self, board: Board, now: float, wait_over_s: float) -> None:
        rows = [(q.queue_id, self._row(q, board, now, wait_over_s)) for q in board.queues.values()]
        total = sum(q.waiting for q in board.queues.values())
        rows.append(("__all__", [Text("all", "bold"), _cell(str(total)), Text(""), _cell(percent(board.sl_today)),
                                 *[Text("") for _ in range(5)]]))
        self.put_rows(rows)

    @staticmethod
    def _row(q: QueueStats, board: Board, now: float, wait_over_s: float) -> list[Text]:
        wait = board.longest_wait(q, now)
        below = q.sl_target or 0.0
        spark = sparkline(board.history.series(q.queue_id, now), SPARK_WIDTH)
        return [
            Text(q.name[:10], "bold"),
            _cell(str(q.waiting), warn=q.waiting > 0),
            _cell(duration(wait), bad=wait is not None and wait > wait_over_s,
                  warn=wait is not None and wait > q.sl_threshold_s),
            _cell(percent(q.sl_today), bad=q.sl_today is not None and q.sl_today < below),
            _cell(percent(q.sl_30min), bad=q.sl_30min is not None and q.sl_30min < below),
            _cell(duration(q.asa_s), warn=q.asa_s is not None and q.asa_s > q.sl_threshold_s),
            _cell(duration(q.aht_s)),
            _cell(percent(q.abandon_rate), bad=q.abandon_rate is not None and q.abandon_rate > ABANDON_LIMIT),
            Text(spark, "cyan"),
        ]


class AgentGrid(_Table):
    """Every agent: state, time in state, reason, current call, skills."""

    COLUMNS = ("Id", "Name", "State", "Time", "Reason", "Call", "Skills")

    def on_mount(self) -> None:
        self.cursor_type = "row"
        for label in self.COLUMNS:
            self.add_column(label, key=label)

    @property
    def selected(self) -> str | None:
        """The agent id under the cursor."""
        if not self.row_count:
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        return None if key.value is None else str(key.value)

    def show(self, rows: Sequence[AgentRow], board: Board, now: float) -> None:
        keep = self.selected
        self.put_rows([(row.agent_id, self._cells(row, board, now)) for row in rows])
        if keep is not None and keep in self.rows and self.get_row_index(keep) != self.cursor_row:
            self.move_cursor(row=self.get_row_index(keep), animate=False)

    @staticmethod
    def _cells(row: AgentRow, board: Board, now: float) -> list[Text]:
        call = board.call_of(row)
        if call is not None:
            where = f"{call.queue or call.direction} {call.caller_number or ''}".strip()
        else:
            where = row.call_id or ""
        skills = " ".join(f"{s}:{level}" for s, level in sorted(row.skills.items()))
        return [
            Text(row.agent_id),
            Text(row.name[:12]),
            Text(state_label(row.state), state_style(row.state)),
            Text(duration(now - row.since) if row.since is not None else "–", justify="right"),
            Text((row.reason or "")[:10] if row.state == "not_ready" else ""),
            Text(where[:16]),
            Text(skills, "dim"),
        ]


class AlertList(Static):
    """The current alerts, the worst first."""

    alerts: reactive[tuple[Alert, ...]] = reactive(tuple)

    def render(self) -> RenderableType:
        if not self.alerts:
            return Text("No alerts.", "dim green")
        text = Text()
        for i, alert in enumerate(self.alerts):
            if i:
                text.append("\n")
            text.append("▲ " if alert.level == "error" else "● ", "bold red" if alert.level == "error" else "yellow")
            text.append(alert.text)
        return text
