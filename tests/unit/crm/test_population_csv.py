"""The sample population generator and the CSV files."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from callcenter.crm.csvfiles import read_cases, read_customers, read_transactions, write_population
from callcenter.crm.model import CaseKind, CaseStatus, Tier
from callcenter.crm.phones import normalize
from callcenter.crm.population import TIER_SHARES, generate, tier_counts
from callcenter.crm.value import assess

AS_OF = dt.date(2025, 6, 30)


@given(st.integers(min_value=0, max_value=5000))
def test_tier_counts_add_up_and_follow_the_shares(n: int) -> None:
    counts = tier_counts(n)
    assert sum(counts.values()) == n
    for tier, share in TIER_SHARES.items():
        assert abs(counts[tier] - n * share) < 1


def test_the_same_seed_gives_the_same_population() -> None:
    assert generate(120, 5, AS_OF) == generate(120, 5, AS_OF)
    assert generate(120, 5, AS_OF) != generate(120, 6, AS_OF)


@settings(max_examples=5, deadline=None)
@given(st.integers(min_value=0, max_value=2**32))
def test_transactions_give_back_the_tier_shares_and_averages(seed: int) -> None:
    population = generate(1000, seed, AS_OF)
    values = assess([c.id for c in population.customers], population.transactions, AS_OF)
    counts = Counter(v.tier for v in values.values())
    assert counts == tier_counts(1000)
    a1 = [v.monthly_profit for v in values.values() if v.tier is Tier.A1]
    a4 = [v.monthly_profit for v in values.values() if v.tier is Tier.A4]
    assert 3500 < sum(a1) / len(a1) < 9000 and -80 < sum(a4) / len(a4) < -25


def test_a_generated_population_looks_like_a_bank() -> None:
    population = generate(500, 3, AS_OF)
    values = assess([c.id for c in population.customers], population.transactions, AS_OF)
    phones = [p for c in population.customers for p in c.phones]
    assert len(phones) == len(set(phones)) and all(normalize(p) == p for p in phones)
    assert all(c.dedicated_agent_id for c in population.customers if values[c.id].tier is Tier.A1)
    assert not any(c.dedicated_agent_id for c in population.customers if values[c.id].tier.rank >= 3)
    assert {c.kind for c in population.cases} == {CaseKind.COMPLAINT}
    assert any(c.status is CaseStatus.OPEN for c in population.cases)
    assert all(c.due_at == c.opened_at + dt.timedelta(days=15) for c in population.cases)
    assert all(t.date <= AS_OF for t in population.transactions)
    top = sorted(values.values(), key=lambda v: v.monthly_profit, reverse=True)
    total = sum(v.monthly_profit for v in top)
    assert sum(v.monthly_profit for v in top[:50]) > total  # top 10 % make more than all profit


def test_csv_round_trip(tmp_path: Path) -> None:
    population = generate(80, 9, AS_OF)
    write_population(population, tmp_path)
    customers = read_customers(tmp_path / "customers.csv")
    transactions = read_transactions(tmp_path / "transactions.csv")
    cases = read_cases(tmp_path / "cases.csv")
    assert customers.errors == transactions.errors == cases.errors == ()
    assert tuple(c for _, c in customers.rows) == population.customers
    assert tuple(t for _, t in transactions.rows) == population.transactions
    assert [(c.customer_id, c.opened_at, c.due_at, c.status) for _, c in cases.rows] == [
        (c.customer_id, c.opened_at, c.due_at, c.status) for c in population.cases]


def test_csv_errors_name_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text("customer_id,kind,opened_at,status,due_at\n"
                    "C1,complaint,2025-03-01T10:00:00+08:00,,\n"
                    "C1,grumble,2025-03-01,,\n"
                    "C1,request,yesterday,,\n"
                    "C1,request,2025-03-01,open,2025-02-01\n"
                    "C1,request,2025-03-01,open,,extra\n", encoding="utf-8")
    parsed = read_cases(path)
    assert [(e.line, e.column) for e in parsed.errors] == [(3, "kind"), (4, "opened_at"), (5, "due_at"), (6, None)]
    assert str(parsed.errors[0]).startswith(f"{path}:3: kind: 'grumble' is not one of complaint")
    (line, case), = parsed.rows
    assert line == 2 and case.due_at == dt.datetime(2025, 3, 16, 2, 0, tzinfo=dt.timezone.utc)
    missing = tmp_path / "t.csv"
    missing.write_text("customer_id,date,amount\nC1,2025-01-01,10\n", encoding="utf-8")
    errors = read_transactions(missing).errors
    assert len(errors) == 1 and errors[0].line == 1 and "margin" in errors[0].message


def test_the_sample_center_files_are_the_generator_output() -> None:
    folder = Path(__file__).resolve().parents[3] / "config" / "sample-center"
    customers = read_customers(folder / "customers.csv")
    transactions = read_transactions(folder / "transactions.csv")
    assert customers.errors == transactions.errors == ()
    population = generate(200, 7, AS_OF)  # crm generate --customers 200 --seed 7 --as-of 2025-06-30
    assert tuple(c for _, c in customers.rows) == population.customers
    assert tuple(t for _, t in transactions.rows) == population.transactions
