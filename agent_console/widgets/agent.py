"""The pieces of the agent screen: state bar, call bar, screen pop, today's figures.

Each widget holds the reactive values it draws and nothing else; the agent
screen binds them to its own (``data_bind``), so one change on the screen
redraws exactly the widgets that show it.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from agent_console.format import day, duration, money, percent, state_label, state_style, tier_style
from agent_console.model import Agent, Call, Offer, ScreenPop

STAT_STATES = (("ready", "ready"), ("busy", "talk"), ("held", "hold"), ("wrap_up", "wrap"),
               ("not_ready", "away"))


class StateBar(Static):
    """State, time in state, reason, who is logged in, and the server link."""

    agent: reactive[Agent | None] = reactive(None)
    now: reactive[float] = reactive(0.0)
    link: reactive[str] = reactive("")

    def render(self) -> RenderableType:
        agent = self.agent
        text = Text()
        if agent is None:
            text.append(" connecting… ")
        else:
            text.append(f" {state_label(agent.state)} ", state_style(agent.state) + " reverse")
            if agent.since is not None:
                text.append(f" {duration(self.now - agent.since)}", "bold")
            reason = agent.reason if agent.state == "not_ready" else None
            if reason:
                text.append(f"  {reason}")
            if agent.pending_reason:
                text.append(f"  next: {agent.pending_reason}", "italic")
            text.append(f"  │ {agent.agent_id} {agent.name}", "dim")
        text.append("  │ ", "dim")
        text.append(self.link or "online", "bold red" if self.link else "green")
        return text

    def watch_link(self, link: str) -> None:
        self.set_class(bool(link), "-offline")


class CallBar(Static):
    """The call now: ringing (with the answer deadline), talking, on hold,
    consulting, dialing; or the wrap-up countdown; or what to do next."""

    agent: reactive[Agent | None] = reactive(None)
    offer: reactive[Offer | None] = reactive(None)
    call: reactive[Call | None] = reactive(None)
    pending_wrap: reactive[str | None] = reactive(None)
    now: reactive[float] = reactive(0.0)

    def _ringing_now(self) -> bool:
        return self.offer is not None and (self.call is None or self.call.status == "ringing")

    def watch_offer(self) -> None:
        self.set_class(self._ringing_now(), "-ringing")

    def watch_call(self) -> None:
        self.set_class(self._ringing_now(), "-ringing")

    def render(self) -> RenderableType:
        call, offer, agent = self.call, self.offer, self.agent
        if offer is not None and self._ringing_now():
            return self._ringing(offer)
        if call is not None and call.live:
            return self._live(call)
        if agent is not None and agent.state == "wrap_up":
            left = None if agent.wrap_up_until is None else agent.wrap_up_until - self.now
            text = Text.assemble(("WRAP-UP", "bold"), f"  {duration(left)} left")
            if self.pending_wrap:
                text.append("  · w: disposition  e: +30 s")
            return text
        if self.pending_wrap:
            return Text.assemble(("Disposition needed", "bold yellow"), f" for call {self.pending_wrap}: press w")
        if agent is None or agent.state == "logged_out":
            return Text("Logged out of the queues: press r to log in and get ready.")
        if agent.state == "not_ready":
            return Text("No call. Press r when ready, d to dial or see callbacks.")
        return Text("No call. Waiting for the next caller…")

    def _ringing(self, offer: Offer) -> Text:
        pop = offer.pop
        who = pop.customer.name if pop.customer and pop.customer.name else (pop.caller_number or "unknown caller")
        text = Text.assemble(("☎ INCOMING ", "bold"))
        if offer.direction != "inbound":
            text.append(f"{offer.direction} · ")
        text.append(f"{offer.queue} · ")
        text.append(who, "bold")
        if pop.customer is not None and pop.customer.tier:
            text.append(f" {pop.customer.tier}")
        if offer.deadline is not None:
            text.append(f" · answer in {duration(offer.deadline - self.now)}")
        text.append(" · a answer, h decline")
        return text

    def _live(self, call: Call) -> Text:
        labels = {"talking": "TALKING", "held": "ON HOLD", "consulting": "CONSULTING", "dialing": "DIALING",
                  "ringing": "RINGING"}
        start = call.answered_at or call.arrived_at
        text = Text.assemble((labels.get(call.status, call.status.upper()), "bold"))
        if start is not None:
            text.append(f" {duration(self.now - start)}")
        text.append(f" · {call.direction}")
        if call.queue:
            text.append(f" · {call.queue}")
        text.append(f" · {call.caller_number or call.customer_id or '–'}")
        if call.status == "consulting" and call.transfer_target:
            text.append(f" · with {call.transfer_target}: c complete, x cancel", "bold")
        return text


class CustomerCard(Static):
    """Who is calling: identity, value tier badge, CLV, segment, RFM; the
    IVR path and what the caller entered; how long they waited."""

    pop: reactive[ScreenPop | None] = reactive(None, layout=True)

    def render(self) -> RenderableType:
        pop = self.pop
        if pop is None:
            return Text("No caller yet.\n\nThe screen pop shows here when a call rings.", style="dim")
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column()
        c = pop.customer
        if c is None:
            grid.add_row("caller", Text(pop.caller_number or "withheld", "bold"))
            grid.add_row("", Text("unknown caller: not in the CRM", "yellow"))
        else:
            title = Text.assemble((f" {c.tier or '??'} ", tier_style(c.tier)), " ", (c.name or c.customer_id, "bold"))
            grid.add_row("", title)
            grid.add_row("customer", c.customer_id)
            grid.add_row("account", c.account_number or "–")
            grid.add_row("CLV", money(c.clv))
            grid.add_row("profit/mo", money(c.monthly_profit))
            grid.add_row("segment", f"{c.segment or '–'}   RFM {c.rfm or '–'}")
            if c.dedicated_agent_id:
                grid.add_row("account agent", c.dedicated_agent_id)
            grid.add_row("phone", pop.caller_number or "–")
            if c.notes:
                grid.add_row("notes", c.notes)
        grid.add_row("waited", duration(pop.waited_s))
        grid.add_row("IVR", " › ".join(pop.ivr_path) or "–")
        for prompt, value in pop.ivr_inputs.items():
            grid.add_row(f"  {prompt}", Text(value, "bold"))
        return grid


class HistoryCard(Static):
    """What to do (next best action), open cases, and the last contacts."""

    pop: reactive[ScreenPop | None] = reactive(None, layout=True)

    def render(self) -> RenderableType:
        pop = self.pop
        if pop is None:
            return Text("")
        parts: list[RenderableType] = []
        if pop.next_best_action:
            parts.append(Text.assemble(("NEXT ", "bold reverse"), " ", (pop.next_best_action, "bold")))
        parts.append(Text(f"Open cases ({len(pop.open_cases)})", "bold underline"))
        for case in pop.open_cases[:3]:
            due = f" due {day(case.due_at)}" if case.due_at is not None else ""
            style = "red" if case.kind == "complaint" else ""
            parts.append(Text(f"{case.kind}{due}: {case.summary or case.case_id}", style))
        if not pop.open_cases:
            parts.append(Text("none", "dim"))
        parts.append(Text(f"Last contacts ({len(pop.last_interactions)})", "bold underline"))
        for i in pop.last_interactions:
            outcome = i.disposition or i.outcome
            style = "red" if i.outcome in ("abandoned", "not answered") else ""
            line = Text(f"{day(i.arrived_at)} {i.channel} {i.queue or ''} ")
            line.append(outcome, style or "bold")
            if i.notes:
                line.append(f" – {i.notes}", "dim")
            parts.append(line)
        if not pop.last_interactions:
            parts.append(Text("none", "dim"))
        return Group(*parts)


class StatsBar(Static):
    """The agent's day so far: calls, AHT, occupancy, time per state."""

    agent: reactive[Agent | None] = reactive(None)

    def render(self) -> RenderableType:
        if self.agent is None:
            return Text("")
        s = self.agent.today
        text = Text.assemble(("Today ", "bold"), f"{s.calls} calls AHT {duration(s.aht_s)} ",
                             f"occ {percent(s.occupancy)} ·")
        for key, label in STAT_STATES:
            if s.time_in_state_s.get(key):
                text.append(f" {label} {duration(s.time_in_state_s[key])}")
        return text
