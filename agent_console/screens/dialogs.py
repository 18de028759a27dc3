"""Small modal dialogs shared by the consoles: pick one, wrap-up, transfer,
dial, skills, and the key list. Each returns its answer with ``dismiss``
(None when cancelled with Escape)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import zip_longest

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.events import Key
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from agent_console.format import clock_time, duration
from agent_console.model import Callback, Catalog

MIN_LEVEL = 1
MAX_LEVEL = 10


def _numbered(index: int, label: str) -> Text:
    key = str(index + 1) if index < 9 else " "
    return Text.assemble((key, "bold"), " ", label)


class PickScreen(ModalScreen[str | None]):
    """Pick one of a few values: arrows and Enter, or its digit."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, choices: Sequence[tuple[str, str]]) -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.choices = list(choices)

    def compose(self) -> ComposeResult:
        with Vertical(classes="box"):
            yield Label(self.title_text, classes="box-title")
            yield OptionList(*[Option(_numbered(i, label), id=value) for i, (value, label) in enumerate(self.choices)])
        yield Footer(compact=True)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def on_key(self, event: Key) -> None:
        if event.character and event.character.isdigit() and event.character != "0":
            index = int(event.character) - 1
            if index < len(self.choices):
                event.stop()
                self.dismiss(self.choices[index][0])

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True, slots=True)
class WrapUp:
    """The agent's answer to the wrap-up dialog."""

    disposition: str
    notes: str


class WrapTimer(Static):
    """What is left of the wrap-up time."""

    remaining: reactive[float | None] = reactive(None)

    def render(self) -> Text:
        if self.remaining is None:
            return Text("wrap-up time: –")
        return Text(f"wrap-up time left: {duration(self.remaining)}")


class WrapUpScreen(ModalScreen[WrapUp | None]):
    """Disposition code and notes for the call just ended.

    Pick the code (arrows and Enter, or its digit), type notes, Enter saves.
    The wrap-up timer counts down here; F2 asks for more time.
    """

    BINDINGS = [
        Binding("escape", "cancel", "Later"),
        Binding("f2", "extend", "Extend +30s"),
        Binding("ctrl+s", "save", "Save"),
    ]
    remaining: reactive[float | None] = reactive(None)

    def __init__(self, call_id: str, dispositions: dict[str, str], extend: Callable[[], None]) -> None:
        super().__init__(classes="dialog")
        self.call_id = call_id
        self.dispositions = dispositions
        self._extend = extend
        self.chosen: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="box"):
            yield Label(f"Wrap-up of call {self.call_id}", classes="box-title")
            yield WrapTimer(id="wrap-timer").data_bind(WrapUpScreen.remaining)
            yield OptionList(*[Option(_numbered(i, f"{name} ({code})"), id=code)
                               for i, (code, name) in enumerate(self.dispositions.items())], id="dispositions")
            yield Input(placeholder="notes (Enter saves)", id="notes")
            yield Static("", id="wrap-error", classes="error")
        yield Footer(compact=True)

    def _choose(self, code: str) -> None:
        self.chosen = code
        self.query_one("#wrap-error", Static).update("")
        self.query_one("#notes", Input).focus()

    @on(OptionList.OptionSelected, "#dispositions")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        assert event.option.id is not None
        self._choose(event.option.id)

    def on_key(self, event: Key) -> None:
        if not isinstance(self.focused, OptionList):
            return
        if event.character and event.character.isdigit() and event.character != "0":
            codes = list(self.dispositions)
            index = int(event.character) - 1
            if index < len(codes):
                event.stop()
                self.query_one(OptionList).highlighted = index
                self._choose(codes[index])

    @on(Input.Submitted, "#notes")
    def _submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        # An explicit pick only: a stray Enter must not file "resolved".
        if self.chosen is None:
            self.query_one("#wrap-error", Static).update("pick a disposition first (arrows and Enter, or its digit)")
            self.query_one(OptionList).focus()
            return
        self.dismiss(WrapUp(self.chosen, self.query_one("#notes", Input).value))

    def action_extend(self) -> None:
        self._extend()

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True, slots=True)
class TransferTarget:
    """Where the agent sends the call."""

    kind: str  # agent, queue, number
    target: str
    attended: bool


class TransferScreen(ModalScreen[TransferTarget | None]):
    """Transfer to an agent, a queue or a number, blind or attended.

    Type to filter the list (or type a number), arrows to pick, ``ctrl+t``
    for attended (consult first), Enter to transfer.
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+t", "attended", "Attended on/off")]

    def __init__(self, catalog: Catalog, own_agent: str | None) -> None:
        super().__init__(classes="dialog")
        self.targets = [("queue", qid, f"queue  {name}") for qid, name in catalog.queues.items()]
        self.targets += [("agent", aid, f"agent  {aid} {name}") for aid, name in catalog.agents.items()
                         if aid != own_agent]

    def compose(self) -> ComposeResult:
        with Vertical(classes="box"):
            yield Label("Transfer the call", classes="box-title")
            yield Input(placeholder="filter, or a phone number", id="target")
            yield OptionList(id="targets")
            yield Checkbox("attended: consult first (ctrl+t)", id="attended")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._fill("")

    def _fill(self, text: str) -> None:
        needle = text.strip().lower()
        options = self.query_one("#targets", OptionList)
        options.clear_options()
        options.add_options([Option(label, id=f"{kind}:{target}") for kind, target, label in self.targets
                             if not needle or needle in label.lower()])
        if options.option_count:
            options.highlighted = 0

    @on(Input.Changed, "#target")
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#target")
    def _typed(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        options = self.query_one("#targets", OptionList)
        if text and (text.lstrip("+").replace(" ", "").isdigit() or not options.option_count):
            self._finish("number", text.replace(" ", ""))
        elif options.highlighted is not None:
            option_id = options.get_option_at_index(options.highlighted).id or ""
            self._finish(*option_id.split(":", 1))

    @on(OptionList.OptionSelected, "#targets")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self._finish(*(event.option.id or "").split(":", 1))

    def on_key(self, event: Key) -> None:
        # Arrows in the filter box move through the list below it.
        if isinstance(self.focused, Input) and event.key in ("down", "up"):
            options = self.query_one("#targets", OptionList)
            event.stop()
            options.action_cursor_down() if event.key == "down" else options.action_cursor_up()

    def action_attended(self) -> None:
        box = self.query_one("#attended", Checkbox)
        box.value = not box.value

    def _finish(self, kind: str, target: str) -> None:
        attended = self.query_one("#attended", Checkbox).value and kind != "queue"
        self.dismiss(TransferTarget(kind, target, attended))

    def action_cancel(self) -> None:
        self.dismiss(None)


class DialScreen(ModalScreen[str | None]):
    """Dial a number or a customer id, or call back a waiting request."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, callbacks: Sequence[Callback]) -> None:
        super().__init__(classes="dialog")
        self.callbacks = list(callbacks)

    def compose(self) -> ComposeResult:
        with Vertical(classes="box"):
            yield Label("Outbound call", classes="box-title")
            yield Input(placeholder="number or customer id, Enter dials", id="number")
            yield Label(f"Callbacks waiting ({len(self.callbacks)}): Tab, arrows, Enter", classes="box-sub")
            yield OptionList(*[Option(_callback_line(c), id=str(i)) for i, c in enumerate(self.callbacks)],
                             id="callbacks")
        yield Footer(compact=True)

    @on(Input.Submitted, "#number")
    def _typed(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(event.value.strip())

    @on(OptionList.OptionSelected, "#callbacks")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        chosen = self.callbacks[int(event.option.id or 0)]
        self.dismiss(chosen.number or chosen.customer_id)

    def action_cancel(self) -> None:
        self.dismiss(None)


def _callback_line(callback: Callback) -> str:
    asked = clock_time(callback.requested_at)
    return f"{callback.queue:<10} {callback.number or '–':<16} {callback.customer_id or '':<9} asked {asked} UTC"


class SkillsScreen(ModalScreen[dict[str, int] | None]):
    """Change an agent's skill levels: arrows pick a skill, +/- or a digit
    (0 = 10) sets the level, Delete drops it, Enter saves."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("plus,equals_sign,right", "bump(1)", "+1"),
        Binding("minus,left", "bump(-1)", "-1"),
        Binding("delete,backspace", "drop", "Drop"),
        Binding("ctrl+s", "save", "Save"),
    ]

    def __init__(self, agent_label: str, skills: dict[str, int], known: Sequence[str]) -> None:
        super().__init__(classes="dialog")
        self.agent_label = agent_label
        self.levels: dict[str, int] = {s: skills.get(s, 0) for s in sorted(set(known) | set(skills))}

    def compose(self) -> ComposeResult:
        with Vertical(classes="box"):
            yield Label(f"Skills of {self.agent_label}", classes="box-title")
            yield OptionList(id="skills")
            yield Static("", id="skills-error", classes="error")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._render_levels(0)

    def _render_levels(self, highlight: int) -> None:
        options = self.query_one("#skills", OptionList)
        options.clear_options()
        options.add_options([Option(self._line(s, level), id=s) for s, level in self.levels.items()])
        options.highlighted = highlight

    @staticmethod
    def _line(skill: str, level: int) -> Text:
        bar = "█" * level + "·" * (MAX_LEVEL - level)
        return Text.assemble(f"{skill:<12} ", (bar, "green" if level else "dim"), f" {level or '–':>2}")

    def _set(self, level: int) -> None:
        options = self.query_one("#skills", OptionList)
        index = options.highlighted
        if index is None:
            return
        skill = list(self.levels)[index]
        self.levels[skill] = max(0, min(MAX_LEVEL, level))
        self._render_levels(index)

    def _current(self) -> int:
        index = self.query_one("#skills", OptionList).highlighted
        return 0 if index is None else list(self.levels.values())[index]

    def action_bump(self, step: int) -> None:
        level = self._current() + step
        self._set(MIN_LEVEL if 0 < level < MIN_LEVEL else level)

    def action_drop(self) -> None:
        self._set(0)

    def on_key(self, event: Key) -> None:
        if event.character and event.character.isdigit():
            event.stop()
            self._set(int(event.character) or MAX_LEVEL)

    @on(OptionList.OptionSelected, "#skills")
    def _enter(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        chosen = {s: level for s, level in self.levels.items() if level > 0}
        if not chosen:
            self.query_one("#skills-error", Static).update("an agent needs at least one skill")
            return
        self.dismiss(chosen)

    def action_cancel(self) -> None:
        self.dismiss(None)


class KeysScreen(ModalScreen[None]):
    """Every key of the screen underneath, with what it does."""

    BINDINGS = [Binding("escape,q,question_mark", "close", "Close")]

    def __init__(self, lines: Sequence[tuple[str, str]], note: str = "") -> None:
        super().__init__(classes="dialog")
        self.lines = list(lines)
        self.note = note

    def compose(self) -> ComposeResult:
        grid = Table.grid(padding=(0, 1))
        for _ in range(2):
            grid.add_column(style="bold", justify="right", no_wrap=True)
            grid.add_column(no_wrap=True)
        half = (len(self.lines) + 1) // 2
        for left, right in zip_longest(self.lines[:half], self.lines[half:], fillvalue=("", "")):
            grid.add_row(left[0], left[1], right[0], right[1])
        with Vertical(classes="box"):
            yield Label("Keys", classes="box-title")
            yield Static(grid)
            if self.note:
                yield Static(Text(self.note, "dim"), classes="box-sub")
        yield Footer(compact=True)

    def action_close(self) -> None:
        self.dismiss(None)
