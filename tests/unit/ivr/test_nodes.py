"""Each node kind, through ``step``: what it emits and where the call goes."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from ivr import effects as fx
from ivr.errors import FlowError, FlowLoop, NaiveTime, UnexpectedEvent
from ivr.events import CallStarted, LookupResult, PromptFinished
from ivr.interpreter import Waiting, start, step
from ivr.model import Flow, Goto, HangupNode, Play, Program, Prompt
from tests.unit.ivr.builders import HOURS, MONDAY_10, TAIPEI, Call, program

MENU = """\
start: menu
nodes:
  menu:
    kind: menu
    prompt: {text: "1 sales, 0 agent"}
    options: {"1": sales, 0: agent}
    retries: 1
    invalid: {text: "Not a choice."}
    no_input: {text: "Nothing heard."}
    on_failure: agent
  sales: {kind: queue, queue: sales}
  agent: {kind: queue, queue: support}
"""


def test_play_waits_for_the_prompt_then_goes_on(tmp_path: Path) -> None:
    prog = program(tmp_path, """\
        start: hello
        nodes:
          hello: {kind: play, prompt: {file: hello, text: "Hello ${caller}"}, next: bye}
          bye: {kind: hangup}
        """)
    call = Call(prog, caller="+886911111111")
    assert call.effects == (fx.Play(Prompt("hello", "Hello +886911111111")),)
    assert call.state.waiting is Waiting.PROMPT
    assert call.prompt_done() == (fx.Hangup("flow"),)
    assert call.state.done and call.state.outcome == "hangup"
    assert call.state.path == ("hello", "bye")


def test_menu_key_goes_to_its_node_and_is_recorded(tmp_path: Path) -> None:
    call = Call(program(tmp_path, MENU))
    ask = call.last
    assert isinstance(ask, fx.CollectDigits)
    assert (ask.max_digits, ask.terminator, ask.choices, ask.node) == (1, "#", ("1", "0"), "menu")
    (queued,) = call.press("1")
    assert isinstance(queued, fx.EnterQueue)
    assert queued.queue == "sales" and queued.ivr_inputs == {"menu": "1"} and queued.ivr_path == ("menu", "sales")


def test_menu_wrong_key_and_silence_replay_then_fail_over(tmp_path: Path) -> None:
    call = Call(program(tmp_path, MENU))
    assert call.press("7") == (fx.Play(Prompt(text="Not a choice.")),)
    again = call.prompt_done()
    assert isinstance(again[-1], fx.CollectDigits)
    (queued,) = call.timeout()  # second failure: retries=1 are used up
    assert isinstance(queued, fx.EnterQueue) and queued.queue == "support"
    assert call.played() == ["Not a choice."]


def test_menu_silence_plays_the_no_input_prompt(tmp_path: Path) -> None:
    call = Call(program(tmp_path, MENU))
    assert call.timeout() == (fx.Play(Prompt(text="Nothing heard.")),)
    call.prompt_done()
    (queued,) = call.press("")  # an empty answer is silence too
    assert isinstance(queued, fx.EnterQueue) and queued.queue == "support"


def test_menu_without_on_failure_hangs_up_with_no_input(tmp_path: Path) -> None:
    call = Call(program(tmp_path, """\
        start: menu
        nodes:
          menu: {kind: menu, prompt: x, options: {"1": q}, retries: 0}
          q: {kind: queue, queue: sales}
        """))
    assert call.press("5") == (fx.Hangup("no_input"),)
    assert call.state.outcome == "no_input"


def test_menu_with_hash_as_a_key_has_no_terminator(tmp_path: Path) -> None:
    call = Call(program(tmp_path, """\
        start: menu
        nodes:
          menu: {kind: menu, prompt: x, options: {"#": q, "*": q}}
          q: {kind: queue, queue: sales}
        """))
    ask = call.last
    assert isinstance(ask, fx.CollectDigits) and ask.terminator == ""
    assert isinstance(call.press("#")[-1], fx.EnterQueue)


COLLECT = """\
start: account
nodes:
  account:
    kind: collect
    prompt: {{text: "Account?"}}
    var: account
    digits: 10
    check: {check}
    retries: 1
    next: done
    on_failure: agent
  done: {{kind: hangup}}
  agent: {{kind: queue, queue: support}}
"""


@pytest.mark.parametrize(("check", "good", "bad"), [
    ("luhn", "1000000016", "1000000017"),
    ("mod11", "1234567892", "1234567891"),
])
def test_collect_checks_the_check_digit(tmp_path: Path, check: str, good: str, bad: str) -> None:
    call = Call(program(tmp_path, COLLECT.format(check=check)))
    ask = call.last
    assert isinstance(ask, fx.CollectDigits) and (ask.max_digits, ask.terminator) == (10, "#")
    call.press(bad)
    assert isinstance(call.last, fx.CollectDigits)  # no invalid prompt: asked again at once
    effects = call.press(good + "#")
    assert effects == (fx.SetVariable("account", good), fx.Hangup("flow"))
    assert call.state.vars["account"] == good


def test_collect_length_pattern_and_secret(tmp_path: Path) -> None:
    call = Call(program(tmp_path, """\
        start: pin
        nodes:
          pin:
            kind: collect
            prompt: x
            var: pin
            min_digits: 4
            max_digits: 6
            pattern: "[1-9][0-9]*"
            secret: true
            invalid: {text: "Wrong PIN."}
            next: q
          q: {kind: queue, queue: support}
        """))
    for wrong in ("123", "0123"):  # too short; against the pattern
        assert call.press(wrong) == (fx.Play(Prompt(text="Wrong PIN.")),)
        call.prompt_done()
    assert call.press("1234567") == (fx.Hangup("no_input"),)  # too long: third failure, no on_failure
    call = Call(program(tmp_path, """\
        start: pin
        nodes:
          pin: {kind: collect, prompt: x, var: pin, min_digits: 4, max_digits: 6, secret: true, next: q}
          q: {kind: queue, queue: support}
        """))
    (queued,) = call.press("4321")  # no SetVariable for a secret
    assert isinstance(queued, fx.EnterQueue) and queued.ivr_inputs == {}
    assert call.state.vars["pin"] == "4321"


LOOKUP = """\
start: find
nodes:
  find: {kind: lookup, hook: crm, key: "${caller}", found: q, not_found: anon}
  q: {kind: queue, queue: support}
  anon: {kind: queue, queue: sales}
"""


def test_lookup_found_sets_customer_and_tier(tmp_path: Path) -> None:
    call = Call(program(tmp_path, LOOKUP), caller="+886912000001")
    assert call.effects == (fx.Lookup("crm", "+886912000001"),)
    (queued,) = call.lookup({"id": "C1", "tier": "A2", "name": "Lin"})
    assert isinstance(queued, fx.EnterQueue)
    assert (queued.queue, queued.customer_id, queued.tier) == ("support", "C1", 2)
    assert call.state.vars["customer_name"] == "Lin"


def test_lookup_not_found_and_other_prefix(tmp_path: Path) -> None:
    call = Call(program(tmp_path, LOOKUP), channel_vars={"tier": "A4"})
    (queued,) = call.lookup(None)
    assert isinstance(queued, fx.EnterQueue) and (queued.queue, queued.tier, queued.customer_id) == ("sales", 4, None)
    call = Call(program(tmp_path, LOOKUP.replace("key:", "into: acct, key:")))
    call.lookup({"id": "X9", "balance": "10"})
    assert call.state.customer_id is None and call.state.vars["acct_balance"] == "10"


CONDITION = HOURS + """\
start: c
nodes:
  c:
    kind: condition
    rules:
      - {when: {holiday: office}, next: holiday}
      - {when: {tier: [A1]}, next: vip}
      - {when: {var: lang, equals: "2"}, next: english}
      - {when: {var: lang, in: ["3", "4"]}, next: other}
      - {when: {var: caller, matches: "\\\\+8869.*"}, next: mobile}
      - {when: {open: office}, next: open}
    else: closed
  holiday: {kind: hangup}
  vip: {kind: hangup}
  english: {kind: hangup}
  other: {kind: hangup}
  mobile: {kind: hangup}
  open: {kind: hangup}
  closed: {kind: hangup}
"""


@pytest.mark.parametrize(("at", "caller", "variables", "expected"), [
    (MONDAY_10, "+886223456789", {}, "open"),
    (MONDAY_10.replace(hour=21), "+886223456789", {}, "closed"),
    (datetime(2026, 4, 3, 10, tzinfo=TAIPEI), "+886223456789", {"tier": "A1"}, "holiday"),
    (MONDAY_10, "+886223456789", {"tier": "A1"}, "vip"),
    (MONDAY_10, "+886223456789", {"lang": "2"}, "english"),
    (MONDAY_10, "+886223456789", {"lang": "4"}, "other"),
    (MONDAY_10, "+886912345678", {}, "mobile"),
])
def test_condition_takes_the_first_rule_that_holds(
    tmp_path: Path, at: datetime, caller: str, variables: dict[str, str], expected: str
) -> None:
    call = Call(program(tmp_path, CONDITION), at=at, caller=caller, channel_vars=variables)
    assert call.state.path == ("c", expected)


def test_set_then_queue_carries_skills_priority_and_variables(tmp_path: Path) -> None:
    call = Call(program(tmp_path, """\
        start: s
        nodes:
          s: {kind: set, vars: {lane: "vip-${caller}", n: 3}, skills: {vip: 5, support: 2}, priority: 7, next: q}
          q: {kind: queue, queue: vip, skills: {support: 4}}
        """), caller="+1")
    set_lane, set_n, queued = call.effects
    assert (set_lane, set_n) == (fx.SetVariable("lane", "vip-+1"), fx.SetVariable("n", "3"))
    assert isinstance(queued, fx.EnterQueue)
    assert queued.skills == (("support", 4), ("vip", 5)) and queued.priority == 7
    call = Call(program(tmp_path, """\
        start: s
        nodes:
          s: {kind: set, priority: 7, next: q}
          q: {kind: queue, queue: vip, priority: 30}
        """))
    assert isinstance(call.last, fx.EnterQueue) and call.last.priority == 30


def test_callback_voicemail_and_transfer(tmp_path: Path) -> None:
    call = Call(program(tmp_path, """\
        start: cb
        nodes:
          cb: {kind: callback, queue: support, next: vm}
          vm: {kind: voicemail, mailbox: support}
        """), caller="+886911")
    offer, mail = call.effects
    assert isinstance(offer, fx.OfferCallback) and (offer.queue, offer.number) == ("support", "+886911")
    assert isinstance(mail, fx.Voicemail) and mail.mailbox == "support"
    assert call.state.outcome == "voicemail" and call.state.human  # a person calls back
    call = Call(program(tmp_path, """\
        start: t
        nodes:
          t: {kind: transfer, number: "+88622${called}"}
        """))
    assert call.effects == (fx.Transfer("+886225000", None, ("t",)),)
    assert call.state.outcome == "transfer" and call.state.trace().human


SURVEY = """\
self_service_only: true
start: ask
nodes:
  ask:
    kind: survey
    invalid: {text: "Please press a key offered."}
    next: bye
  bye: {kind: hangup}
"""


def test_survey_asks_three_questions_and_records_them(tmp_path: Path) -> None:
    call = Call(program(tmp_path, SURVEY))
    first = call.last
    assert isinstance(first, fx.CollectDigits) and first.node == "ask.satisfied" and first.choices == tuple("12345")
    call.press("5")
    call.press("3")  # recommend is 1-2: invalid, one retry
    assert call.last == fx.Play(Prompt(text="Please press a key offered."))
    call.prompt_done()
    call.press("9")  # still invalid: unanswered
    record, bye = call.press("1")
    assert record == fx.RecordSurvey({"satisfied": 5, "recommend": None, "continue": 1}, True, "call-1", None)
    assert bye == fx.Hangup("flow")


def test_survey_hangup_records_what_was_answered(tmp_path: Path) -> None:
    call = Call(program(tmp_path, SURVEY))
    call.press("4")
    (record,) = call.hang_up()
    assert record == fx.RecordSurvey({"satisfied": 4, "recommend": None, "continue": None}, False, "call-1", None)
    assert call.state.outcome == "caller_hangup"


def test_case_opens_with_a_due_date(tmp_path: Path) -> None:
    call = Call(program(tmp_path, """\
        start: case
        nodes:
          case: {kind: case, type: complaint, due_days: 15, next: q}
          q: {kind: queue, queue: complaints}
        """), caller="+886955", channel_vars={"customer_id": "C7"})
    case, queued = call.effects
    assert isinstance(case, fx.OpenCase) and isinstance(queued, fx.EnterQueue)
    assert (case.kind, case.customer_id, case.caller, case.call_id) == ("complaint", "C7", "+886955", "call-1")
    assert case.due_at == MONDAY_10 + timedelta(days=15)


SUB = """\
start: ask
nodes:
  ask: {kind: collect, prompt: x, var: acct, digits: 3, next: back, on_failure: back}
  back: {kind: return}
"""


def test_goto_subflow_and_return(tmp_path: Path) -> None:
    prog = program(tmp_path, """\
        start: jump
        nodes:
          jump: {kind: goto, target: call}
          call: {kind: subflow, flow: ident, next: q}
          q: {kind: queue, queue: support}
        """, ident=SUB)
    call = Call(prog)
    ask = call.last
    assert isinstance(ask, fx.CollectDigits) and ask.node == "ident/ask"
    _, queued = call.press("123")
    assert isinstance(queued, fx.EnterQueue)
    assert queued.ivr_path == ("jump", "call", "ident/ask", "ident/back", "q")
    assert queued.ivr_inputs == {"acct": "123"}


def test_return_from_the_entry_flow_hangs_up(tmp_path: Path) -> None:
    call = Call(program(tmp_path, SUB, name="ident"))
    assert call.press("123")[-1] == fx.Hangup("end")
    assert call.state.trace().contained


def test_caller_hangup_anywhere_ends_without_effects(tmp_path: Path) -> None:
    call = Call(program(tmp_path, MENU))
    assert call.hang_up() == ()
    trace = call.state.trace()
    assert trace.outcome == "caller_hangup" and not trace.human and trace.steps[-1].node == "menu"
    assert call.press("1") == ()  # after the end, events are ignored


def test_events_out_of_turn_are_refused(tmp_path: Path) -> None:
    prog = program(tmp_path, MENU)
    with pytest.raises(UnexpectedEvent):
        step(start(prog), PromptFinished(MONDAY_10))
    call = Call(prog)
    with pytest.raises(UnexpectedEvent, match="prompt_finished while waiting for digits"):
        call.prompt_done()
    with pytest.raises(UnexpectedEvent):
        call.lookup(None)
    with pytest.raises(UnexpectedEvent):
        call.send(CallStarted("1", "2", MONDAY_10))
    with pytest.raises(UnexpectedEvent, match="not left the IVR"):
        call.state.trace()


def test_time_must_carry_a_zone(tmp_path: Path) -> None:
    with pytest.raises(NaiveTime):
        step(start(program(tmp_path, MENU)), CallStarted("1", "2", datetime(2026, 3, 2, 10)))


def test_unvalidated_programs_fail_loudly() -> None:
    looping = Program("f", {"f": Flow("f", "a", {"a": Goto(id="a", target="b"), "b": Goto(id="b", target="a")})})
    with pytest.raises(FlowLoop):
        step(start(looping), CallStarted("1", "2", MONDAY_10))
    broken = Program("f", {"f": Flow("f", "a", {"a": Play(id="a", prompt=Prompt(text="x"), next="nowhere")})})
    state, _ = step(start(broken), CallStarted("1", "2", MONDAY_10))
    with pytest.raises(FlowError, match="unknown node 'nowhere'"):
        step(state, PromptFinished(MONDAY_10))
    dead = Program("f", {"f": Flow("f", "a", {"a": Play(id="a", prompt=Prompt(text="x")), "h": HangupNode(id="h")})})
    state, _ = step(start(dead), CallStarted("1", "2", MONDAY_10))
    with pytest.raises(FlowError, match="leads nowhere"):
        step(state, PromptFinished(MONDAY_10))


def test_effects_end_with_one_wait_or_end_and_name_their_node(tmp_path: Path) -> None:
    call = Call(program(tmp_path, """\
        start: s
        nodes:
          s: {kind: set, vars: {a: "1"}, next: p}
          p: {kind: play, prompt: x, next: q}
          q: {kind: queue, queue: support}
        """))
    assert [type(e).__name__ for e in call.effects] == ["SetVariable", "Play"]
    assert list(call.state.origins) == [0, 1]
    assert all(not e.waits and not e.ends for e in call.effects[:-1]) and call.last.waits
    call.prompt_done()
    assert call.last.ends and list(call.state.origins) == [2]
    assert LookupResult(None, MONDAY_10).name == "lookup_result"
