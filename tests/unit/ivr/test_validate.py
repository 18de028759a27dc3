"""The validator: each problem class, with its file, line and a fix."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from callcenter.config.center import load_center
from callcenter.config.ivr import check_flow_files, load_flow, load_program, prompt_checker
from callcenter.config.loader import ConfigError
from ivr.validate import Problem, validate_program
from tests.unit.ivr.builders import CENTER, SAMPLES, write


def line_of(text: str, marker: str) -> int:
    """1-based line of the first line containing ``marker``."""
    for number, line in enumerate(textwrap.dedent(text).splitlines(), start=1):
        if marker in line:
            return number
    raise AssertionError(f"{marker!r} not in text")


def problems(tmp_path: Path, text: str, **kwargs: object) -> tuple[Path, list[Problem]]:
    path = write(tmp_path, text)
    return path, validate_program(load_program(path), **kwargs)  # type: ignore[arg-type]


def only(found: list[Problem], severity: str = "error") -> Problem:
    matching = [p for p in found if p.severity == severity]
    assert len(matching) == 1, "\n".join(map(str, found))
    return matching[0]


GOOD = """\
start: menu
nodes:
  menu:
    kind: menu
    prompt: {file: menu, text: "1 sales, 0 agent"}
    options: {"1": sales, "0": agent}
    on_failure: agent
  sales: {kind: queue, queue: sales}
  agent: {kind: queue, queue: support}
"""


def test_a_good_flow_and_the_samples_have_no_problems(tmp_path: Path) -> None:
    assert problems(tmp_path, GOOD)[1] == []
    center = load_center(CENTER)
    found = check_flow_files(sorted(SAMPLES.glob("*.yaml")), queues=[q.id for q in center.queues],
                             skills=[s.id for s in center.skills])
    assert found == []


def test_unknown_target_names_the_option_line_and_a_close_match(tmp_path: Path) -> None:
    text = GOOD.replace('"1": sales, "0": agent}', '"1": sales,\n              "0": agnet}')
    path, found = problems(tmp_path, text)
    problem = only(found)
    assert problem.file == str(path) and problem.line == line_of(text, '"0": agnet')
    assert "key 0 goes to unknown node 'agnet'" in problem.message and "did you mean 'agent'" in problem.message
    assert str(problem).startswith(f"{path}:{problem.line}: error: menu 'menu' (line 3)")


def test_unreachable_node_is_a_warning(tmp_path: Path) -> None:
    text = GOOD + "  orphan: {kind: hangup}\n"
    _, found = problems(tmp_path, text)
    problem = only(found, "warning")
    assert problem.line == line_of(text, "orphan") and "never reached from start 'menu'" in problem.message
    assert not [p for p in found if p.severity == "error"]


def test_dead_end_asks_for_the_missing_exit(tmp_path: Path) -> None:
    text = """\
        start: hello
        nodes:
          hello: {kind: play, prompt: {text: hi}}
          route:
            kind: condition
            rules:
              - {when: {tier: [A1]}, next: hello}
        """
    _, found = problems(tmp_path, text)
    errors = [p for p in found if p.severity == "error"]
    assert [(p.line, p.message.split(":")[0]) for p in errors] == [
        (3, "play 'hello' (line 3) is a dead end"),
        (4, "condition 'route' (line 4) is a dead end"),
    ]
    assert "add 'next: <node>'" in errors[0].message and "add 'else: <node>'" in errors[1].message


def test_loop_with_no_exit(tmp_path: Path) -> None:
    text = """\
        start: a
        nodes:
          a: {kind: play, prompt: {text: a}, next: b}
          b: {kind: goto, target: c}
          c: {kind: play, prompt: {text: c}, next: a}
        """
    _, found = problems(tmp_path, text)
    problem = only(found)
    assert problem.line == 3 and "loop with no exit: a -> b -> c" in problem.message


def test_a_menu_loop_is_fine_because_tries_run_out(tmp_path: Path) -> None:
    text = """\
        start: m
        nodes:
          m: {kind: menu, prompt: {text: m}, options: {"1": m, "0": q}, on_failure: q}
          q: {kind: queue, queue: support}
        """
    assert problems(tmp_path, text)[1] == []


def test_missing_prompt_files_only_when_a_folder_is_given(tmp_path: Path) -> None:
    sounds = tmp_path / "sounds"
    sounds.mkdir()
    _, found = problems(tmp_path, GOOD, prompt_exists=prompt_checker(sounds))
    problem = only(found)
    assert problem.line == 3 and "plays 'menu', which is not in the prompts folder" in problem.message
    (sounds / "menu.gsm").write_bytes(b"")
    assert problems(tmp_path, GOOD, prompt_exists=prompt_checker(sounds))[1] == []


def test_menu_with_no_way_to_an_agent(tmp_path: Path) -> None:
    text = """\
        start: menu
        nodes:
          menu:
            kind: menu
            prompt: {text: "1 balance"}
            options: {"1": balance}
            on_failure: bye
          balance: {kind: play, prompt: {text: "Your balance"}, next: bye}
          bye: {kind: hangup}
        """
    _, found = problems(tmp_path, text)
    problem = only(found)
    assert problem.line == 3
    assert problem.message == (
        "menu 'menu' (line 3) has no way to an agent: add a key such as '0: agent' leading to a queue node "
        "(or 'self_service_only: true' if on purpose)"
    )
    on_purpose = textwrap.dedent(text).replace("on_failure: bye", "on_failure: bye\n    self_service_only: true")
    assert problems(tmp_path, on_purpose)[1] == []
    assert problems(tmp_path, "self_service_only: true\n" + textwrap.dedent(text))[1] == []


def test_menu_whose_only_way_to_a_person_is_another_menu(tmp_path: Path) -> None:
    text = """\
        start: top
        nodes:
          top: {kind: menu, prompt: {text: "1 more"}, options: {"1": more}, on_failure: bye}
          more: {kind: menu, prompt: {text: "0 agent"}, options: {"0": agent}, on_failure: agent}
          agent: {kind: queue, queue: support}
          bye: {kind: hangup}
        """
    _, found = problems(tmp_path, text)
    problem = only(found)
    assert problem.line == 3 and "has no key for an agent" in problem.message


def test_a_condition_on_the_way_still_counts_as_a_direct_key(tmp_path: Path) -> None:
    text = """\
        schedules:
          office: {timezone: UTC, hours: {daily: "08:00-18:00"}}
        start: top
        nodes:
          top: {kind: menu, prompt: {text: "0 agent"}, options: {"0": route}, on_failure: route}
          route:
            kind: condition
            rules: [{when: {open: office}, next: agent}]
            else: later
          agent: {kind: queue, queue: support}
          later: {kind: callback, queue: support, next: bye}
          bye: {kind: hangup}
        """
    assert problems(tmp_path, text)[1] == []


def test_inputs_that_drop_the_caller_are_warned_about(tmp_path: Path) -> None:
    text = GOOD.replace("    on_failure: agent\n", "")
    problem = only(problems(tmp_path, text)[1], "warning")
    assert problem.line == 3 and "hangs up after 3 failed tries: add 'on_failure: <node>'" in problem.message


def test_center_cross_check_of_queues_and_skills(tmp_path: Path) -> None:
    text = GOOD.replace("queue: sales}", "queue: sale, skills: {spanish: 3}}")
    center = load_center(CENTER)
    _, found = problems(tmp_path, text, queues=[q.id for q in center.queues], skills=[s.id for s in center.skills])
    messages = [p.message for p in found]
    assert any("names queue 'sale', which the center does not have: did you mean 'sales'?" in m for m in messages)
    assert any("needs skill 'spanish'" in m for m in messages)
    assert all(p.line == line_of(text, "sales:") for p in found)


def test_unknown_subflow_schedule_and_start(tmp_path: Path) -> None:
    text = """\
        start: nowhere
        nodes:
          sub: {kind: subflow, flow: missing, next: c}
          c:
            kind: condition
            rules:
              - {when: {open: office}, next: q}
            else: q
          q: {kind: queue, queue: support}
        """
    _, found = problems(tmp_path, text)
    messages = {p.line: p.message for p in found if p.severity == "error"}
    assert "starts at unknown node 'nowhere'" in messages[1]
    assert "calls flow 'missing', which was not found: put missing.yaml next to" in messages[3]
    assert "uses unknown schedule 'office'" in messages[7]


def test_subflows_are_checked_in_their_own_file(tmp_path: Path) -> None:
    write(tmp_path, """\
        start: ask
        nodes:
          ask: {kind: play, prompt: {text: x}}
        """, "helper")
    path = write(tmp_path, """\
        start: s
        nodes:
          s: {kind: subflow, flow: helper.yaml, next: q}
          q: {kind: queue, queue: support}
        """)
    found = validate_program(load_program(path))
    assert [(Path(p.file).name, p.line) for p in found if p.severity == "error"] == [("helper.yaml", 3)]


def test_subflow_cycle(tmp_path: Path) -> None:
    write(tmp_path, """\
        start: back
        nodes:
          back: {kind: subflow, flow: main, next: done}
          done: {kind: return}
        """, "other")
    path = write(tmp_path, """\
        start: s
        nodes:
          s: {kind: subflow, flow: other, next: q}
          q: {kind: queue, queue: support}
        """)
    found = [p for p in validate_program(load_program(path)) if "cycle of subflow calls" in p.message]
    assert len(found) == 1 and found[0].line == 3


@pytest.mark.parametrize(("text", "line", "message"), [
    ("start: a\nnodes:\n  a: {kind: dance}\n", 3, "node 'a' has unknown kind 'dance': use one of play, menu"),
    ("start: a\nnodes:\n  a: {next: b}\n", 3, "node 'a' has no kind"),
    ("start: a\nnodes:\n  a:\n    kind: menu\n    prompt: x\n    options: {'12345': b}\n", 6, "key '12345'"),
    ("start: a\nnodes:\n  a:\n    kind: play\n    prompt: {}\n", 5, "a prompt needs 'file:'"),
    ("start: a\nnodes:\n  a:\n    kind: play\n    prompt: x\n    nxt: b\n", 6, "Extra inputs are not permitted"),
    ("start: a\nnodes:\n  a:\n    kind: collect\n    prompt: x\n    var: v\n    pattern: '(['\n", 7,
     "not a regular expression"),
    ("start: a\nnodes:\n  a:\n    kind: condition\n    rules:\n      - when: {tier: [B1]}\n        next: a\n", 6,
     "unknown tier 'B1'"),
    ("start: a\nnodes:\n  a:\n    kind: condition\n    rules:\n      - when: {var: x}\n        next: a\n", 6,
     "say what to test"),
    ("start: a\nnodes:\n  a:\n    kind: transfer\n    number: 0223\n", 5, "put the number in quotes"),
    ("start: a\nnodes:\n  9a: {kind: hangup}\n", 2, "node id '9a'"),
])
def test_structure_errors_name_the_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace("[", r"\[")) as info:
        load_flow(path)
    assert (info.value.file, info.value.line) == (str(path), line)


def test_a_file_that_does_not_load_is_one_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("start: a\nnodes:\n  a: {kind: dance}\n")
    good = write(tmp_path, GOOD)
    found = check_flow_files([bad, good])
    assert len(found) == 1 and found[0].file == str(bad) and found[0].line == 3
