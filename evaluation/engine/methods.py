"""Leaf scoring methods (计分方法), domain section 5.

Each method has a name, the input it reads, a ``parse`` that checks and normalises its
parameters (reporting every problem), and a ``build`` that turns a leaf into a scorer closure —
the work of reading the parameters is done once per campaign, not once per unit.

A scorer is called as ``scorer(unit, entries, explain)`` with the unit's inputs and its ledger
entries for that leaf, and returns ``(score, explanation, lines, issues)``: the score rounded
to cents (``None`` when an input is missing or unusable — the engine never guesses), its
explanation, the ledger lines behind it, and the issues that make the unit incomplete.

Scorers are pure, so the engine calls them twice: once with ``explain=False`` while computing
a campaign (score and issues only — no explanation or ledger-line objects are built, which is
what makes 2,000 units × 120 leaves fast), and again with ``explain=True`` when someone reads
that leaf's result (``UnitResult.nodes[code]``).

=========================  ==========================  =============================================
method                     input                       seed wording
=========================  ==========================  =============================================
manual                     assessed score              综合评议
tiered                     assessed :class:`TierPick`  “三三分档”: A 90–100, B 80–90, C 80 以下; +/0/−
deduct_per_occurrence      ledger deductions           “少一次扣10分”, “每次扣5分”
deduct_by_grade            ledger deductions           “科级以上…每人次扣15分,科级以下每人次扣10分”
checklist                  measure (missing items)     “没有成立领导小组…扣5分”
                           or ledger deductions
bonus_per_occurrence       ledger bonuses              “每多录用市级报刊1篇加0.5分…加分不超过3分”
level_bonus                ledger bonuses              “同一项工作受到多次奖励的,按最高一级得分”
proportional               measure                     “未完成稿件录用任务的按比例得分”
shortfall_steps            measure                     “每差欠5%扣4分”
threshold                  measure                     “结案率达到95%的(10分),未达到的不给分”
quantity_steps             measure                     “实际到资1000万元的得5分,每增加300万元得1分…最高10分”
rank_points                measure (place)             “第一名得4分,第二名得3分,第三名得2分”
survey                     unit's survey score         公众评议 (points × survey score / 100)
=========================  ==========================  =============================================

Deduction leaves normally stop at zero. Inside a deduction pool they don't: the pool adds up its
children's deductions and applies its own floor or overflow (see ``aggregate``), so a leaf there
may go below its own points — below zero when it has no points of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .decimals import HUNDRED, ZERO, fraction_text, r2, steps_ceil, steps_floor
from .explain import Explanation
from .ledger import fast_total, price_entries
from .params import Reader, to_decimal
from .sources import survey_score
from .types import LedgerEntry, TierPick, UnitInputs

__all__ = ["METHODS", "Method", "LeafInfo", "Scorer", "DEDUCTION_METHODS", "LEDGER_INPUTS"]

CENT_ZERO = r2(ZERO)
NO_LINES: tuple = ()
NO_ISSUES: tuple = ()
TWO = Decimal(2)

Outcome = tuple[Decimal | None, Explanation | None, tuple, Sequence[Explanation]]
Scorer = Callable[[UnitInputs, Sequence[LedgerEntry], bool], Outcome]


@dataclass(frozen=True)
class LeafInfo:
    """What a scorer needs to know about its leaf, fixed at compile time."""

    category: str
    code: str
    name: str
    points: Decimal
    in_deduction_pool: bool
    joint_split: tuple[Decimal, Decimal]


@dataclass(frozen=True)
class Method:
    name: str
    input: str  # "assessed" | "measure" | "ledger" | "checklist" | "survey"
    ledger_kind: str | None
    deduction: bool  # may sit in a deduction pool
    parse: Callable[[Reader, Decimal | None], dict[str, Any]]
    build: Callable[[LeafInfo, Mapping[str, Any]], Scorer]
    doc: str = ""


# ----------------------------------------------------------------------------------------------
# shared helpers
# ----------------------------------------------------------------------------------------------


def _base(info: LeafInfo) -> dict[str, Any]:
    return {"code": info.code, "name": info.name, "points": info.points}


def _missing(template: str, info: LeafInfo, **extra: Any) -> Outcome:
    return None, None, NO_LINES, [Explanation(template, {"code": info.code, "name": info.name, **extra})]


def _measure(unit: UnitInputs, info: LeafInfo) -> tuple[Decimal | None, Outcome | None]:
    value = unit.measures.get(info.code)
    if value is None:
        return None, _missing("missing.measure", info)
    number = value if type(value) is Decimal and value.is_finite() else to_decimal(value)
    if number is None:
        return None, _missing("bad.measure_type", info, value=repr(value))
    if number < 0:
        return None, _missing("bad.measure_negative", info, value=number)
    return number, None


def _over_points(reader: Reader, field: str, value: Decimal | None, points: Decimal | None) -> None:
    if value is not None and points is not None and value > points:
        reader._add("sp.over_points", field=reader._field(field), value=value, points=points)


def _priced_items(reader: Reader, list_name: str, value_name: str) -> list[dict[str, Any]]:
    """``[{key, label, <value_name>}]`` — deduction kinds, person grades, checklist items, bonus kinds."""
    items = reader.objects(list_name)
    out = []
    for item in items:
        key = item.text("key")
        label = item.text("label", required=False, default=key)
        value = item.dec(value_name)
        item.done(("key", "label", value_name))
        out.append({"key": key, "label": label, value_name: value})
    reader.unique(items, "key", list_name)
    return out


def _prices(params: Mapping[str, Any], list_name: str, value_name: str) -> dict[str, tuple[str, Decimal]]:
    return {item["key"]: (item["label"], item[value_name]) for item in params[list_name]}


# ----------------------------------------------------------------------------------------------
# manual (评分) and tiered (三三分档)
# ----------------------------------------------------------------------------------------------


def _parse_manual(reader: Reader, points: Decimal | None) -> dict[str, Any]:
    reader.done(())
    return {}


def _build_manual(info: LeafInfo, params: Mapping[str, Any]) -> Scorer:
    code, points = info.code, info.points

    def score(unit: UnitInputs, entries: Sequence[LedgerEntry], explain: bool) -> Outcome:
        value = unit.assessed.get(code)
        if value is None:
            return _missing("missing.assessed", info)
        if type(value) is Decimal and value.is_finite():
            number = value
        else:
            number = None if isinstance(value, TierPick) else to_decimal(value)
        if number is None:
            return _missing("bad.assessed_type", info, value=repr(value))
        if number < 0 or number > points:
            return _missing("bad.assessed_range", info, value=number, points=points)
        result = r2(number)
        if not explain:
            return result, None, NO_LINES, NO_ISSUES
        return result, Explanation("leaf.manual", {**_base(info), "score": result}), NO_LINES, NO_ISSUES

    return score


def _parse_tiered(reader: Reader, points: Decimal | None) -> dict[str, Any]:
    tiers = reader.objects("tiers")
    out = []
    for tier in tiers:
        code = tier.text("code")
        low = tier.dec("low_pct")
        high = tier.dec("high_pct")
        tier.done(("code", "low_pct", "high_pct"))
        if low is not None and high is not None and not (0 <= low <= high <= 100):
            tier._add("sp.tier_bounds", tier=code, low=low, high=high)
        out.append({"code": code, "low_pct": low, "high_pct": high})
    reader.unique(tiers, "code", "tiers")
    reader.done(("tiers",))
    return {"tiers": out}


_ADJUSTMENTS = {"+": "+", "0": "0", "-": "-", "−": "-"}


def _build_tiered(info: LeafInfo, params: Mapping[str, Any]) -> Scorer:
    tiers = {t["code"]: (t["low_pct"], t["high_pct"]) for t in params["tiers"]}
    code, points = info.code, info.points

    def score(unit: UnitInputs, entries: Sequence[LedgerEntry], explain: bool) -> Outcome:
        pick = unit.assessed.get(code)
        if pick is None:
            return _missing("missing.tier", info)
        if not isinstance(pick, TierPick):
            return _missing("bad.assessed_type", info, value=repr(pick))
        if pick.tier not in tiers:
            return _missing("bad.tier", info, tier=pick.tier)
        adjustment = _ADJUSTMENTS.get(pick.adjustment)
        if adjustment is None:
            return _missing("bad.adjustment", info, adj=pick.adjustment)
        low, high = tiers[pick.tier]
        # “+” the upper bound of the tier, “0” its midpoint, “−” its lower bound.
        pct = high if adjustment == "+" else low if adjustment == "-" else (low + high) / TWO
        result = r2(points * pct / HUNDRED)
        if not explain:
            return result, None, NO_LINES, NO_ISSUES
        explanation = Explanation(
            "leaf.tiered",
            {**_base(info), "score": result, "pct": pct, "tier": pick.tier, "adj": Explanation(f"adj.{adjustment}"),
             "low": low, "high": high},
        )
        return result, explanation, NO_LINES, NO_ISSUES

    return score


# ----------------------------------------------------------------------------------------------
# ledger deductions: per occurrence, by grade of person, checklist
# ----------------------------------------------------------------------------------------------


def _parse_deduct(list_name: str) -> Callable[[Reader, Decimal | None], dict[str, Any]]:
    def parse(reader: Reader, points: Decimal | None) -> dict[str, Any]:
        out: dict[str, Any] = {list_name: _priced_items(reader, list_name, "deduction")}
        if reader.has("floor"):
            out["floor"] = reader.boolean("floor", True)
        reader.done((list_name, "floor"))
        return out

    return parse


def _deduction_outcome(info: LeafInfo, priced: Any, floor: bool, explain: bool) -> Outcome:
    if priced.issues:
        return None, None, priced.lines, priced.issues
    raw = info.points - priced.total
    result = r2(raw)
    floored = floor and result < 0
    if floored:
        result = CENT_ZERO
    if not explain:
        return result, None, NO_LINES, NO_ISSUES
    if not any(line.status == "counted" for line in priced.lines):
        explanation = Explanation("leaf.deduct_none", {**_base(info), "score": result, "notes": priced.notes()})
        return result, explanation, priced.lines, NO_ISSUES
    explanation = Explanation("leaf.deduct", {
        **_base(info), "score": result, "terms": priced.terms(),
        "floor": Explanation("note.floor", {"raw": r2(raw)}) if floored else None, "notes": priced.notes(),
    })
    return result, explanation, priced.lines, NO_ISSUES


def _build_deduct(list_name: str) -> Callable[[LeafInfo, Mapping[str, Any]], Scorer]:
    def build(info: LeafInfo, params: Mapping[str, Any]) -> Scorer:
        prices = _prices(params, list_name, "deduction")
        # Inside a deduction pool the pool does the flooring (or overflow), so the leaf doesn't.
        floor = params.get("floor", True) and not info.in_deduction_pool
        full = r2(info.points)
        points, split = info.points, info.joint_split
        # No entries means nothing went wrong: full points, not a missing input.
        no_entries = (full, None, NO_LINES, NO_ISSUES)
        no_entries_explained = (full, Explanation("leaf.deduct_none", {**_base(info), "score": full, "notes": None}),
                                NO_LINES, NO_ISSUES)

        def score(unit: UnitInputs, entries: Sequence[LedgerEntry], explain: bool) -> Outcome:
            if not entries:
                return no_entries_explained if explain else no_entries
            if not explain:
                # The campaign pass: the total alone, without building a line per entry.
                total = fast_total(entries, "deduction", prices, split, False, ())
                if total is not None:
                    result = r2(points - total)
                    return (CENT_ZERO if floor and result < 0 else result), None, NO_LINES, NO_ISSUES
            priced = price_entries(entries, leaf_code=info.code, kind="deduction", prices=prices,
                                   joint_split=split, detail=explain)
            return _deduction_outcome(info, priced, floor, explain)

        return score

    return build


def _parse_checklist(reader: Reader, points: Decimal | None) -> dict[str, Any]:
    items = _priced_items(reader, "items", "deduction")
    reader.done(("items",))
    return {"items": items}


def _build_checklist(info: LeafInfo, params: Mapping[str, Any]) -> Scorer:
    prices = _prices(params, "items", "deduction")
    order = {key: index for index, key in enumerate(prices)}
    floor = not info.in_deduction_pool
    full = r2(info.points)

    none_missing = (full, None, NO_LINES, NO_ISSUES)
    none_missing_explained = (full, Explanation("leaf.checklist_none", {**_base(info), "score": full}), NO_LINES, NO_ISSUES)

    def score(unit: UnitInputs, entries: Sequence[LedgerEntry], explain: bool) -> Outcome:
        measured = unit.measures.get(info.code)
        items: list[str] = []
        if measured is not None:
            if isinstance(measured, str | bytes) or not isinstance(measured, Sequence):
                return _missing("bad.measure_type", info, value=repr(measured))
            unknown = [item for item in measured if item not in prices]
            if unknown:
                return None, None, NO_LINES, [
                    Explanation("bad.checklist_item", {"code": info.code, "name": info.name, "item": item}) for item in unknown
                ]
            items = sorted(set(measured), key=order.__getitem__)  # in the scheme's order
        if not items and not entries:
            return none_missing_explained if explain else none_missing
        # Each missing item deducts once, however many times it is recorded.
        if not explain:
            total = fast_total(entries, "deduction", prices, info.joint_split, True, items)
            if total is not None:
                result = r2(info.points - total)
                return (CENT_ZERO if floor and result < 0 else result), None, NO_LINES, NO_ISSUES
        priced = price_entries(
            entries, leaf_code=info.code, kind="deduction", prices=prices, joint_split=info.joint_split,
            once_per_item=True, measured_items=items, detail=explain,
        )
        return _deduction_outcome(info, priced, floor, explain)

    return score


# ----------------------------------------------------------------------------------------------
# ledger bonuses: per occurrence (capped), by level (highest only)
# ----------------------------------------------------------------------------------------------


def _parse_bonus(list_name: str, value_name: str, *, cap_required: bool = False) -> Callable[[Reader, Decimal | None], dict]:
    def parse(reader: Reader, points: Decimal | None) -> dict[str, Any]:
        items = _priced_items(reader, list_name, value_name)
        cap = reader.dec("cap", required=cap_required)
        _over_points(reader, "cap", cap, points)
        reader.done((list_name, "cap"))
        out: dict[str, Any] = {list_name: items}
        if cap is not None:
            out["cap"] = cap
        return out

    return parse


def _build_bonus(list_name: str, value_name: str) -> Callable[[LeafInfo, Mapping[str, Any]], Scorer]:
    def build(info: LeafInfo, params: Mapping[str, Any]) -> Scorer:
        prices = _prices(params, list_name, value_name)
        # The cap defaults to the leaf's points: a bonus leaf's points are its maximum.
        cap = params.get("cap")
        cap = info.points if cap is None else cap
        nothing = (CENT_ZERO, None, NO_LINES, NO_ISSUES)
        nothing_explained = (CENT_ZERO, Explanation("leaf.bonus_none", {**_base(info), "score": CENT_ZERO, "notes": None}),
                             NO_LINES, NO_ISSUES)

        def score(unit: UnitInputs, entries: Sequence[LedgerEntry], explain: bool) -> Outcome:
            if not entries:
                return nothing_explained if explain else nothing
            if not explain:
                total = fast_total(entries, "bonus", prices, info.joint_split, False, ())
                if total is not None:
                    return r2(cap if total > cap else total), None, NO_LINES, NO_ISSUES
            priced = price_entries(entries, leaf_code=info.code, kind="bonus", prices=prices,
                                   joint_split=info.joint_split, detail=explain)
            if priced.issues:
                return None, None, priced.lines, priced.issues
            raw = priced.total
            capped = raw > cap
            result = r2(cap if capped else raw)
            if not explain:
                return result, None, NO_LINES, NO_ISSUES
            if not any(line.status == "counted" for line in priced.lines):
                explanation = Explanation("leaf.bonus_none", {**_base(info), "score": result, "notes": priced.notes()})
                return result, explanation, priced.lines, NO_ISSUES
            explanation = Explanation("leaf.bonus", {
                **_base(info), "score": result, "terms": priced.terms(), "notes": priced.notes(),
                "cap": Explanation("note.cap", {"cap": cap, "raw": r2(raw)}) if capped else None,
            })
            return result, explanation, priced.lines, NO_ISSUES

        return score

    return build


# ----------------------------------------------------------------------------------------------
# measured: proportional, shortfall steps, threshold, quantity steps, rank in a special evaluation
# ----------------------------------------------------------------------------------------------


def _parse_proportional(reader: Reader, points: Decimal | None) -> dict[str, Any]:
    target = reader.dec("target", positive=True)
    reader.done(("target",))
    return {"target": target}


def _build_proportional(info: LeafInfo, params: Mapping[str, Any]) -> Scorer:
    target = params["target"]
    points = info.points

    full = r2(points)

    def score(unit: UnitInputs, entries: Sequence[LedgerEntry], explain: bool) -> Outcome:
        actual, problem = _measure(unit, info)
        if problem is not None:
            return problem
        if actual >= target:
            if not explain:
                return full, None, NO_LINES, NO_ISSUES
            return full, Explanation("leaf.proportional_full", {**_base(info), "score": full, "actual": actual,
                                                                "target": target}), NO_LINES, NO_ISSUES
        # Multiply before dividing: 30 × 18 / 20 is exact, 30 × (18 / 20) need not be.
        result = r2(points * actual / target)
        if not explain:
            return result, None, NO_LINES, NO_ISSUES
        explanation = Explanation("leaf.proportional", {**_base(info), "score": result, "actual": actual, "target": target})
        return result, explanation, NO_LINES, NO_ISSUES

    return score


def _parse_shortfall(reader: Reader, points: Decimal | None) -> dict[str, Any]:
    out = {
        "target": reader.dec("target", positive=True),
        "step_pct": reader.dec("step_pct", positive=True),
        "step_deduction": reader.dec("step_deduction"),
    }
    if reader.has("partial"):
        out["partial"] = reader.choice("partial", ("floor", "ceil"), default="floor")
    reader.done(("target", "step_pct", "step_deduction", "partial"))
    return out


def _build_shortfall(info: LeafInfo, params: Mapping[str, Any]) -> Scorer:
    target, step_pct, step_deduction = params["target"], params["step_pct"], params["step_deduction"]
    round_steps = steps_ceil if params.get("partial", "floor") == "ceil" else steps_floor
    floor = not info.in_deduction_pool
    points = info.points

    full = r2(points)

    def score(unit: UnitInputs, entries: Sequence[LedgerEntry], explain: bool) -> Outcome:
        actual, problem = _measure(unit, info)
        if problem is not None:
            return problem
        if actual >= target:
            if not explain:
                return full, None, NO_LINES, NO_ISSUES
            return full, Explanation("leaf.shortfall_met", {**_base(info), "score": full, "actual": actual,
                                                            "target": target}), NO_LINES, NO_ISSUES
        # Steps are counted on the exact shortfall: “每差欠5%扣4分” — a shortfall of exactly 10%
        # is two steps, never 1.9999… steps.
        # shortfall % / step % = (target − actual) × 100 / (target × step %), in exact whole steps.
        steps = round_steps((target - actual) * HUNDRED, target * step_pct)
        raw = points - steps * step_deduction
        result = r2(raw)
        floored = floor and result < 0
        if floored:
            result = CENT_ZERO
        if not explain:
            return result, None, NO_LINES, NO_ISSUES
        shortfall = Fraction(target - actual) * 100 / Fraction(target)
        explanation = Explanation("leaf.shortfall", {
            **_base(info), "score": result, "steps": steps, "step_deduction": step_deduction, "actual": actual,
            "target": target, "shortfall": fraction_text(shortfall, 2), "step_pct": step_pct,
            "floor": Explanation("note.floor", {"raw": r2(raw)}) if floored else None})
        return result, explanation, NO_LINES, NO_ISSUES

    return score


def _parse_threshold(reader: Reader, points: Decimal | None) -> dict[str, Any]:
    out: dict[str, Any] = {"threshold": reader.dec("threshold", minimum=None)}
    if reader.has("below"):
        out["below"] = reader.dec("below")
        _over_points(reader, "below", out["below"], points)
    reader.done(("threshold", "below"))
    return out


def _build_threshold(info: LeafInfo, params: Mapping[str, Any]) -> Scorer:
    threshold = params["threshold"]
    below = r2(params.get("below") or ZERO)
    full = r2(info.points)

    def score(unit: UnitInputs, entries: Sequence[LedgerEntry], explain: bool) -> Outcome:
        actual, problem = _measure(unit, info)
        if problem is not None:
            return problem
        if not explain:
            return (full if actual >= threshold else below), None, NO_LINES, NO_ISSUES
        if actual >= threshold:
            return full, Explanation("leaf.threshold_met", {**_base(info), "score": full, "actual": actual,
                                                            "threshold": threshold}), NO_LINES, NO_ISSUES
        return below, Explanation("leaf.threshold_missed", {**_base(info), "score": below, "actual": actual,
                                                            "threshold": threshold, "below": params.get("below") or ZERO}), \
            NO_LINES, NO_ISSUES

    return score


def _parse_quantity(reader: Reader, points: Decimal | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "base_at": reader.dec("base_at"),
        "base_points": reader.dec("base_points"),
        "step": reader.dec("step", positive=True),
        "step_points": reader.dec("step_points"),
    }
    cap = reader.dec("cap", required=False)
    _over_points(reader, "cap", cap, points)
    _over_points(reader, "base_points", out["base_points"], cap if cap is not None else points)
    if cap is not None:
        out["cap"] = cap
    reader.done(("base_at", "base_points", "step", "step_points", "cap"))
    return out


def _build_quantity(info: LeafInfo, params: Mapping[str, Any]) -> Scorer:
    base_at, base_points = params["base_at"], params["base_points"]
    step, step_points = params["step"], params["step_points"]
    cap = params.get("cap")
    cap = info.points if cap is None else cap

    def score(unit: UnitInputs, entries: Sequence[LedgerEntry], explain: bool) -> Outcome:
        actual, problem = _measure(unit, info)
        if problem is not None:
            return problem
        if actual < base_at:
            result = CENT_ZERO
            if not explain:
                return result, None, NO_LINES, NO_ISSUES
            return result, Explanation("leaf.quantity_below", {**_base(info), "score": result, "actual": actual,
                                                               "base_at": base_at}), NO_LINES, NO_ISSUES
        # Only whole further steps count: “每增加300万元得1分”.
        steps = steps_floor(actual - base_at, step)
        raw = base_points + steps * step_points
        capped = raw > cap
        result = r2(cap if capped else raw)
        if not explain:
            return result, None, NO_LINES, NO_ISSUES
        explanation = Explanation(
            "leaf.quantity",
            {**_base(info), "score": result, "base_points": base_points, "steps": steps, "step_points": step_points,
             "actual": actual, "base_at": base_at, "step": step,
             "cap": Explanation("note.cap", {"cap": cap, "raw": raw}) if capped else None},
        )
        return result, explanation, NO_LINES, NO_ISSUES

    return score


def _parse_rank(reader: Reader, points: Decimal | None) -> dict[str, Any]:
    table = reader.decimal_map("table") or {}
    for place, value in table.items():
        if not place.isdigit() or int(place) < 1:
            reader._add("sp.rank_place", value=place)
        _over_points(reader, f"table.{place}", value, points)
    out: dict[str, Any] = {"table": table}
    if reader.has("default"):
        out["default"] = reader.dec("default")
        _over_points(reader, "default", out["default"], points)
    reader.done(("table", "default"))
    return out


def _build_rank(info: LeafInfo, params: Mapping[str, Any]) -> Scorer:
    table = {int(place): value for place, value in params["table"].items() if place.isdigit()}
    default = params.get("default") or ZERO

    def score(unit: UnitInputs, entries: Sequence[LedgerEntry], explain: bool) -> Outcome:
        place, problem = _measure(unit, info)
        if problem is not None:
            return problem
        if place != place.to_integral_value() or place < 1:
            return _missing("bad.measure_type", info, value=str(place))
        value = table.get(int(place), default)
        result = r2(value)
        if not explain:
            return result, None, NO_LINES, NO_ISSUES
        return result, Explanation("leaf.rank", {**_base(info), "score": result, "place": int(place), "value": value}), \
            NO_LINES, NO_ISSUES

    return score


# ----------------------------------------------------------------------------------------------
# survey-derived (公众评议 as a leaf)
# ----------------------------------------------------------------------------------------------


def _parse_survey(reader: Reader, points: Decimal | None) -> dict[str, Any]:
    source = reader.text("source")
    reader.done(("source",))
    return {"source": source}


def _build_survey(info: LeafInfo, params: Mapping[str, Any]) -> Scorer:
    source = params["source"]
    where = f"{info.code} {info.name}"

    def score(unit: UnitInputs, entries: Sequence[LedgerEntry], explain: bool) -> Outcome:
        survey, _explanation, problem = survey_score(unit.surveys.get(source), source=source, label=info.name,
                                                    where=where, explain=False)
        if problem is not None:
            return None, None, NO_LINES, [problem]
        # The survey score is already rounded to cents, as it is published.
        result = r2(info.points * survey / HUNDRED)
        if not explain:
            return result, None, NO_LINES, NO_ISSUES
        return result, Explanation("leaf.survey", {**_base(info), "score": result, "survey": survey, "source": source}), \
            NO_LINES, NO_ISSUES

    return score


# ----------------------------------------------------------------------------------------------

METHODS: dict[str, Method] = {
    m.name: m
    for m in (
        Method("manual", "assessed", None, False, _parse_manual, _build_manual, "assessor enters 0..points"),
        Method("tiered", "assessed", None, False, _parse_tiered, _build_tiered, "tier A/B/C then +/0/−"),
        Method("deduct_per_occurrence", "ledger", "deduction", True, _parse_deduct("kinds"), _build_deduct("kinds"),
               "points − Σ(quantity × deduction)"),
        Method("deduct_by_grade", "ledger", "deduction", True, _parse_deduct("grades"), _build_deduct("grades"),
               "points − Σ(persons × deduction for their grade)"),
        Method("checklist", "checklist", "deduction", True, _parse_checklist, _build_checklist,
               "each missing item deducts once"),
        Method("bonus_per_occurrence", "ledger", "bonus", False, _parse_bonus("kinds", "bonus"),
               _build_bonus("kinds", "bonus"), "Σ(quantity × bonus) up to cap"),
        Method("level_bonus", "ledger", "bonus", False, _parse_bonus("levels", "points"), _build_bonus("levels", "points"),
               "points by level; the same piece of work once, at its highest level"),
        Method("proportional", "measure", None, False, _parse_proportional, _build_proportional,
               "points × min(actual / target, 1)"),
        Method("shortfall_steps", "measure", None, True, _parse_shortfall, _build_shortfall,
               "points − steps of shortfall × step deduction"),
        Method("threshold", "measure", None, False, _parse_threshold, _build_threshold, "points if measure ≥ threshold"),
        Method("quantity_steps", "measure", None, False, _parse_quantity, _build_quantity,
               "base points at a threshold, + per further step, capped"),
        Method("rank_points", "measure", None, False, _parse_rank, _build_rank, "points by place"),
        Method("survey", "survey", None, False, _parse_survey, _build_survey, "points × survey score / 100"),
    )
}

DEDUCTION_METHODS = frozenset(name for name, m in METHODS.items() if m.deduction)
LEDGER_INPUTS = frozenset(("ledger", "checklist"))
