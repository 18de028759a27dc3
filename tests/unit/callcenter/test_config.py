"""Center definition loading: good configs convert, bad ones name file and line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from acd.model import OverflowKind, SelectionPolicy
from callcenter.cli import main
from callcenter.config.center import load_center
from callcenter.config.loader import ConfigError, load_yaml

SAMPLE = Path(__file__).parents[3] / "config" / "sample-center"

GOOD = """\
skills:
  - {id: sales}
  - {id: support}
queues:
  - id: sales
    skills: {sales: 3}
    policy: best_skill
    relaxation:
      - {after_s: 30, min_level: 1}
      - {after_s: 90, overflow: {action: queue, target: support}}
  - id: support
    skills: {support: 2}
agents:
  - {id: a1, skills: {sales: 5, support: 3}, performance: 0.8}
"""


def write(tmp_path: Path, text: str, name: str = "center.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def error_of(path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_center(path)
    return info.value


def test_sample_center_loads_and_converts() -> None:
    queues, agents, settings = load_center(SAMPLE).to_acd()
    assert {q.id for q in queues} >= {"sales", "support", "vip"}
    assert len(agents) == 30
    assert len({s for a in agents for s in a.skills}) == 6
    assert "no-answer" in settings.not_ready_reasons
    assert settings.tier_bonus[1] > settings.tier_bonus[3]


def test_good_config_converts_to_acd_values(tmp_path: Path) -> None:
    queues, agents, _ = load_center(write(tmp_path, GOOD)).to_acd()
    sales = queues[0]
    assert sales.policy is SelectionPolicy.BEST_SKILL
    assert sales.requirements[0].skill == "sales" and sales.requirements[0].min_level == 3
    assert sales.relaxation[1].overflow is not None
    assert sales.relaxation[1].overflow.kind is OverflowKind.QUEUE
    assert agents[0].skills == {"sales": 5, "support": 3}


@pytest.mark.parametrize(
    ("old", "new", "line", "words"),
    [
        ("policy: best_skill", "policy: cheapest", 7, "policy"),
        ("skills: {support: 2}", "skills: {suport: 2}", 12, "unknown skill 'suport'"),
        ("target: support}", "target: nowhere}", 10, "unknown queue 'nowhere'"),
        ("- {id: a1, skills: {sales: 5,", "- {id: a1, skills: {sales: 15,", 14, "1-10"),
        ("performance: 0.8", "performance: 1.8", 14, "performance"),
        ("{after_s: 30, min_level: 1}", "{after_s: 300, min_level: 1}", 8, "increasing"),
        ("- id: support", "- id: sales", 11, "duplicate id 'sales'"),
    ],
)
def test_errors_name_file_line_and_problem(tmp_path: Path, old: str, new: str, line: int, words: str) -> None:
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new))
    err = error_of(path)
    assert err.file == str(path)
    assert err.line == line, str(err)
    assert words in str(err)
    assert str(err).startswith(f"{path}:{line}: ")


def test_yaml_syntax_error_has_line(tmp_path: Path) -> None:
    path = write(tmp_path, "skills:\n  - {id: sales\nqueues: []\n")
    err = error_of(path)
    assert err.line == 3 and "YAML syntax" in str(err)


def test_duplicate_key_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "skills: []\n")
    err = error_of(path)
    assert err.line == 15 and "duplicate key 'skills'" in str(err)


def test_include_merges_and_keeps_the_included_files_lines(tmp_path: Path) -> None:
    head, agents = GOOD.split("agents:\n")
    write(tmp_path, "agents:\n" + agents.replace("sales: 5", "sales: 0"), "agents.yaml")
    path = write(tmp_path, "include: [agents.yaml]\n" + head)
    err = error_of(path)
    assert err.file == str(tmp_path / "agents.yaml") and err.line == 2


def test_include_cycle_and_missing_file(tmp_path: Path) -> None:
    write(tmp_path, "include: [b.yaml]\n", "a.yaml")
    write(tmp_path, "include: [a.yaml]\n", "b.yaml")
    with pytest.raises(ConfigError, match="include cycle"):
        load_yaml(tmp_path / "a.yaml")
    with pytest.raises(ConfigError, match="file not found"):
        load_yaml(tmp_path / "nope.yaml")


def test_config_check_command(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(main, ["config", "check", str(SAMPLE)])
    assert ok.exit_code == 0, ok.output
    assert "5 queues" in ok.output and "30 agents" in ok.output
    bad = write(tmp_path, GOOD.replace("policy: best_skill", "policy: cheapest"))
    result = runner.invoke(main, ["config", "check", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:7:" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("crm", "words"),
    [
        ("{url: 'https://crm/x/{customer}'}", "unknown field {customer}"),
        ("{url: 'crm/x/{customer_id}'}", "http:// or https://"),
        ("{url: 'https://crm/x/{customer_id!r}'}", "no format or conversion"),
        ("{webhook: 'ftp://crm/hook'}", "webhook must start with"),
    ],
)
def test_crm_pop_templates_are_checked(tmp_path: Path, crm: str, words: str) -> None:
    path = write(tmp_path, GOOD.replace("    policy: best_skill\n", f"    policy: best_skill\n    crm_pop: {crm}\n"))
    err = error_of(path)
    assert err.line == 8 and words in str(err)


def test_crm_pop_template_renders_url_encoded_values() -> None:
    from callcenter.crm.external import render_pop_url

    url = render_pop_url("https://crm/c/{customer_id}?n={caller_number}&t={tier}", {"customer_id": "a b", "caller_number": "+886 2", "tier": None})
    assert url == "https://crm/c/a%20b?n=%2B886%202&t="
