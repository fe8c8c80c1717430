"""Properties that hold for any inputs (hypothesis): deductions never raise a score, caps and
floors hold, ranks agree with totals, and nothing depends on the order inputs arrive in."""

from __future__ import annotations

import random
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.engine import LedgerEntry, Veto, compile_category, compute_units
from evaluation.engine.decimals import engine_context
from evaluation.engine.ledger import price_entries

from .helpers import leaf, one_category, unit

KINDS = [{"key": "a", "label": "甲", "deduction": "0.5"}, {"key": "b", "label": "乙", "deduction": "3"},
         {"key": "c", "label": "丙", "deduction": "7.25"}]
BONUS = [{"key": "a", "label": "甲", "bonus": "0.5"}, {"key": "b", "label": "乙", "bonus": "2"}]
TREE = [
    {"code": "1", "name": "工作", "children": [
        leaf("1.1", "20", "deduct_per_occurrence", kinds=KINDS),
        leaf("1.2", "10", "checklist", items=KINDS),
        leaf("1.3", "10", "proportional", target="7"),
    ]},
    {"code": "B", "name": "加分", "pool": {"kind": "bonus", "cap": "3"}, "children": [
        leaf("B.1", "5", "bonus_per_occurrence", kinds=BONUS), leaf("B.2", "5", "level_bonus",
                                                                 levels=[{"key": "a", "points": "1"}, {"key": "b", "points": "4"}])]},
    {"code": "Z", "name": "作风", "points": "10", "pool": {"kind": "deduction", "overflow": True},
     "children": [leaf("Z.1", "0", "deduct_per_occurrence", kinds=KINDS)]},
]
CATEGORY = one_category(TREE, veto={"mode": "ineligible"})
COMPILED = compile_category(CATEGORY)
DEDUCTION_LEAVES = ["1.1", "1.2", "Z.1"]
BONUS_LEAVES = ["B.1", "B.2"]


@st.composite
def ledger_entries(draw, unit_code="U1", max_size=12):
    entries = []
    for index in range(draw(st.integers(0, max_size))):
        bonus = draw(st.booleans())
        entries.append(LedgerEntry(
            id=index + 1, unit_code=unit_code,
            leaf_code=draw(st.sampled_from(BONUS_LEAVES if bonus else DEDUCTION_LEAVES)),
            kind="bonus" if bonus else "deduction",
            rule_key=draw(st.sampled_from(["a", "b"] if bonus else ["a", "b", "c"])),
            quantity=D(draw(st.integers(0, 5))),
            event_key=draw(st.sampled_from([None, None, "e1", "e2"])),
            exempt=None if bonus else draw(st.sampled_from([None, None, None, "self_reported", "self_corrected"])),
            joint_role=draw(st.sampled_from([None, None, "lead", "co"])) if bonus else None,
        ))
    return entries


def inputs(code="U1", ledger=(), actual=5, vetoed=False):
    return unit(code, measures={"1.3": D(actual)}, ledger=ledger, vetoes=[Veto("安全生产")] if vetoed else [])


@settings(max_examples=150, deadline=None)
@given(ledger=ledger_entries(), extra_leaf=st.sampled_from(DEDUCTION_LEAVES), kind=st.sampled_from(["a", "b", "c"]),
       quantity=st.integers(1, 5), event=st.sampled_from([None, "e1", "e9"]))
def test_a_deduction_never_raises_a_score(ledger, extra_leaf, kind, quantity, event):
    before = compute_units(CATEGORY, [inputs(ledger=ledger)]).units[0]
    extra = LedgerEntry(id=999, unit_code="U1", leaf_code=extra_leaf, kind="deduction", rule_key=kind,
                        quantity=D(quantity), event_key=event)
    after = compute_units(CATEGORY, [inputs(ledger=[*ledger, extra])]).units[0]
    for code in before.nodes:
        assert after.nodes[code].score <= before.nodes[code].score
    assert after.total <= before.total


@settings(max_examples=150, deadline=None)
@given(ledger=ledger_entries(max_size=25), actual=st.integers(0, 20))
def test_caps_and_floors_hold(ledger, actual):
    result = compute_units(CATEGORY, [inputs(ledger=ledger, actual=actual)]).units[0]
    nodes = result.nodes
    for code in ("1.1", "1.2", "1.3"):
        assert D(0) <= nodes[code].score <= nodes[code].points
    assert D(0) <= nodes["B.1"].score <= D(5) and D(0) <= nodes["B.2"].score <= D(5)
    assert D(0) <= nodes["B"].score <= D(3)
    # overflow pool: never below zero, and what it can't absorb goes to the total
    deducted = -nodes["Z.1"].score
    assert nodes["Z"].score == max(D(0), D(10) - deducted)
    assert result.overflow == max(D(0), deducted - D(10))
    assert result.total == nodes["1"].score + nodes["B"].score + nodes["Z"].score - result.overflow
    for node in nodes.values():
        assert node.score == node.score.quantize(D("0.01"))  # everything in cents


@settings(max_examples=150, deadline=None)
@given(ledger=ledger_entries(max_size=25), actual=st.integers(0, 20))
def test_campaign_pass_and_explain_pass_agree(ledger, actual):
    """Scores come from the fast pass; explanations from a second, explained pass: same numbers."""
    unit_inputs = inputs(ledger=ledger, actual=actual)
    result = compute_units(COMPILED, [unit_inputs]).units[0]
    by_leaf: dict[str, list] = {}
    for entry in ledger:
        by_leaf.setdefault(entry.leaf_code, []).append(entry)
    with engine_context():
        for code, leaf_node in COMPILED.leaves.items():
            fast = leaf_node.scorer(unit_inputs, by_leaf.get(code, ()), False)[0]
            explained = leaf_node.scorer(unit_inputs, by_leaf.get(code, ()), True)[0]
            assert fast == explained == result.score(code)


@settings(max_examples=100, deadline=None)
@given(totals=st.lists(st.integers(0, 12), min_size=1, max_size=12), vetoes=st.lists(st.booleans(), min_size=12,
                                                                                      max_size=12))
def test_ranks_agree_with_totals(totals, vetoes):
    units = [inputs(f"U{i:02d}", actual=t, vetoed=vetoes[i]) for i, t in enumerate(totals)]
    result = compute_units(CATEGORY, units)
    ranked = result.units
    for a in ranked:
        assert a.rank == 1 + sum(1 for b in ranked if b.total > a.total)
        for b in ranked:
            if a.total > b.total:
                assert a.rank < b.rank
    assert [u.rank for u in ranked] == sorted(u.rank for u in ranked)
    worst = max(u.rank for u in ranked)
    assert all(u.last_place == (len(ranked) > 1 and worst > 1 and u.rank == worst) for u in ranked)
    order = ["优", "良", "一般", "差"]
    for a in ranked:
        for b in ranked:
            if a.total >= b.total and a.eligible_top and b.eligible_top:
                assert order.index(a.grade) <= order.index(b.grade)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), count=st.integers(1, 6), seed=st.integers(0, 10**6))
def test_results_do_not_depend_on_input_order(data, count, seed):
    units = [inputs(f"U{i}", ledger=data.draw(ledger_entries(unit_code=f"U{i}")), actual=data.draw(st.integers(0, 9)))
             for i in range(count)]
    rng = random.Random(seed)
    shuffled = [unit(u.unit_code, measures=u.measures, ledger=rng.sample(list(u.ledger), len(u.ledger))) for u in units]
    rng.shuffle(shuffled)

    def summary(result):
        return [(u.unit_code, u.total, u.rank, u.grade, u.last_place,
                 [(code, node.score, node.explanation.text("zh"), [(line.entry_id, line.status) for line in node.lines])
                  for code, node in u.nodes.items()],
                 u.explanation.text("en"))
                for u in result.units]

    assert summary(compute_units(CATEGORY, units)) == summary(compute_units(CATEGORY, shuffled))


@settings(max_examples=200, deadline=None)
@given(ledger=ledger_entries(max_size=20), once=st.booleans(), kind=st.sampled_from(["deduction", "bonus"]))
def test_fast_total_equals_detailed_total(ledger, once, kind):
    """The campaign-speed pass and the explained pass must agree to the cent, always."""
    entries = [e for e in ledger if e.kind == kind]
    prices = {"a": ("甲", D("0.5")), "b": ("乙", D("3")), "c": ("丙", D("7.25"))}
    split = (D("0.8"), D("0.2"))
    with engine_context():
        fast = price_entries(entries, leaf_code="x", kind=kind, prices=prices, joint_split=split, once_per_item=once,
                             detail=False)
        full = price_entries(entries, leaf_code="x", kind=kind, prices=prices, joint_split=split, once_per_item=once)
    assert fast.total == full.total
    assert full.total == sum((line.amount for line in full.lines if line.status == "counted"), D(0))
