"""Pricing a leaf's ledger entries (台帐) with the modifiers every deduction or bonus honours.

Order of the modifiers, and why:

1. **Exempt** entries (免予扣分) price at nothing: “属于本单位自行查处或主动报告有关机关查处的,
   免予扣分”; “单位在自查自纠中发现问题,并采取措施及时整改处理,年终绩效评估可以不扣分”.
   They stay on the leaf's lines marked ``exempt`` (with what they would have cost), because the
   unit sees every entry against it.
2. **Joint work** (联办): a bonus earned jointly counts × the lead share for the lead unit and ×
   the co share for a co-unit (“主办单位按80%计分,联办单位按20%计分”). It applies before step 3
   so a piece of work is compared at what it is actually worth to this unit.
3. **Same event, highest only** (“同一事项就高扣分一次,不重复扣分”; for bonuses
   “同一项工作受到多次奖励的,按最高一级得分”): of the non-exempt entries of one unit and leaf
   sharing an ``event_key``, only the largest counts; the others are ``superseded``. For a
   checklist each item is its own event: a missing item deducts once however often it is filed.

Entries are processed in id order, so the result and its explanation never depend on the order
the ledger arrived in (ties for “largest” go to the smallest id).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from .explain import Explanation
from .types import LedgerEntry, LedgerLine

__all__ = ["Priced", "price_entries", "fast_total", "id_sort_key", "EXEMPTIONS", "JOINT_ROLES"]

EXEMPTIONS = ("self_reported", "self_corrected")
JOINT_ROLES = ("lead", "co")
ZERO = Decimal(0)
ONE = Decimal(1)


def id_sort_key(entry_id: object) -> tuple[int, int | str]:
    """Integer ids sort numerically, text ids after them alphabetically."""
    if isinstance(entry_id, int) and not isinstance(entry_id, bool):
        return (0, entry_id)
    return (1, str(entry_id))


class Priced:
    """What a leaf's entries amount to: the ``total`` counted, every line, and the issues found."""

    __slots__ = ("total", "lines", "issues")

    def __init__(self, total: Decimal, lines: tuple[LedgerLine, ...], issues: list[Explanation]) -> None:
        self.total = total
        self.lines = lines
        self.issues = issues

    # Explanations are built only when asked for: most callers just need the total.
    def terms(self, template_share: str = "term.priced_share") -> list[Explanation]:
        """Counted lines grouped by rule, price and share: ``15 − 2 × 1(逾期,台帐 #411)``."""
        groups: dict[tuple, list[LedgerLine]] = {}
        for line in self.lines:
            if line.status == "counted":
                groups.setdefault((line.rule_key, line.unit_value, line.share, line.entry_id is None), []).append(line)
        terms = []
        for (_rule, unit_value, share, from_measure), lines in groups.items():
            ref = _ref(lines)
            if from_measure or lines[0].quantity is None:
                terms.append(Explanation("term.item", {"price": unit_value, "label": lines[0].label, "ref": ref}))
                continue
            qty = sum((line.quantity for line in lines), ZERO)
            if share is None:
                terms.append(Explanation("term.priced", {"price": unit_value, "qty": qty, "label": lines[0].label, "ref": ref}))
            else:
                role = "word.lead" if lines[0].joint_role == "lead" else "word.co"
                terms.append(
                    Explanation(
                        template_share,
                        {"price": unit_value, "qty": qty, "share": share, "label": lines[0].label,
                         "role": Explanation(role), "ref": ref},
                    )
                )
        return terms

    def notes(self) -> list[Explanation]:
        """Exempt and superseded entries, said in words the unit's liaison recognises."""
        notes: list[Explanation] = []
        exempt: dict[tuple[str, str], list[LedgerLine]] = {}
        superseded: dict[str, list[LedgerLine]] = {}
        for line in self.lines:
            if line.status == "exempt":
                exempt.setdefault((line.label, line.exempt or ""), []).append(line)
            elif line.status == "superseded":
                superseded.setdefault(line.event_key or "", []).append(line)
        for (label, why), lines in exempt.items():
            qty = sum((line.quantity for line in lines), ZERO)
            notes.append(
                Explanation("note.exempt", {"label": label, "qty": qty, "why": Explanation(f"word.{why}"), "ref": _ref(lines)})
            )
        for event, lines in superseded.items():
            notes.append(Explanation("note.superseded", {"event": event, "ref": _ref(lines)}))
        return notes


def _ref(lines: Sequence[LedgerLine]) -> Explanation:
    ids = [f"#{line.entry_id}" for line in lines if line.entry_id is not None]
    if not ids:
        return Explanation("word.assessed")
    return Explanation("ref.ledger", {"ids": ids})


def price_entries(
    entries: Sequence[LedgerEntry],
    *,
    leaf_code: str,
    kind: str,
    prices: Mapping[str, tuple[str, Decimal]],
    joint_split: tuple[Decimal, Decimal],
    once_per_item: bool = False,
    measured_items: Sequence[str] = (),
    detail: bool = True,
) -> Priced:
    """Price ``entries`` (all for one unit and leaf) under the modifiers above.

    ``prices`` maps a rule key to (label, unit value). ``kind`` is the ledger kind the leaf takes
    (``"deduction"`` or ``"bonus"``). ``once_per_item`` makes each rule key count once, at its
    price regardless of quantity (a checklist); ``measured_items`` are checklist items the
    assessor recorded as missing, counted like entries without an id.

    With ``detail=False`` only the total is worked out (no lines): the same arithmetic without
    building an object per entry, for computing a whole campaign quickly. Its total is the
    detailed total — a group's largest amount doesn't depend on the order entries are seen.
    """
    if not detail:
        total = fast_total(entries, kind, prices, joint_split, once_per_item, measured_items)
        if total is not None:
            return Priced(total, (), [])
        # An entry needs a closer look: the detailed pass reports its problems in id order.
    issues: list[Explanation] = []
    lines: list[LedgerLine] = []
    # Group key → the line currently counted for it (same event / same checklist item).
    best: dict[object, LedgerLine] = {}

    for item in measured_items:
        label, price = prices[item]
        line = LedgerLine(None, item, label, ONE, price, price, "counted")
        lines.append(line)
        best[item] = line

    if len(entries) > 1:
        entries = sorted(entries, key=_entry_key)
    for entry in entries:
        price_row = prices.get(entry.rule_key)
        quantity = entry.quantity
        exempt = entry.exempt
        role = entry.joint_role
        # The common case (a plain, well-formed entry) skips the detailed checks.
        if entry.kind != kind or price_row is None or quantity < 0 or exempt is not None or role is not None:
            problem = _check(entry, leaf_code=leaf_code, kind=kind, prices=prices)
            if problem is not None:
                issues.append(problem)
                continue
        label, price = price_row
        share: Decimal | None = None
        if once_per_item:
            amount = price
            quantity = ONE
        else:
            amount = quantity * price
            if role is not None:
                share = joint_split[0] if role == "lead" else joint_split[1]
                amount = amount * share
        if exempt is not None:
            # Kept on the record with what it would have cost; counts nothing.
            lines.append(LedgerLine(entry.id, entry.rule_key, label, quantity, price, amount, "exempt", share,
                                    entry.event_key, exempt, role))
            continue
        line = LedgerLine(entry.id, entry.rule_key, label, quantity, price, amount, "counted", share, entry.event_key,
                          None, role)
        lines.append(line)
        if once_per_item:
            group: object = entry.rule_key
        elif entry.event_key is not None:
            group = ("event", entry.event_key)
        else:
            continue
        current = best.get(group)
        if current is None:
            best[group] = line
        elif amount > current.amount:  # ties keep the earlier (smaller) id
            current.status = "superseded"
            best[group] = line
        else:
            line.status = "superseded"

    total = ZERO
    for line in lines:
        if line.status == "counted":
            total += line.amount
    return Priced(total, tuple(lines), issues)


def fast_total(entries, kind, prices, joint_split, once_per_item, measured_items) -> Decimal | None:
    """The counted total, or ``None`` if some entry is not a plain well-formed one."""
    total = ZERO
    best: dict[object, Decimal] = {}
    for item in measured_items:
        best[item] = prices[item][1]
    for entry in entries:
        price_row = prices.get(entry.rule_key)
        if entry.kind != kind or price_row is None or entry.quantity < 0:
            return None
        exempt, role = entry.exempt, entry.joint_role
        if exempt is not None:
            if exempt not in EXEMPTIONS:
                return None
            continue  # exempt: counts nothing
        if once_per_item:
            amount = price_row[1]
            group: object = entry.rule_key
        else:
            amount = entry.quantity * price_row[1]
            if role is not None:
                if role not in JOINT_ROLES or kind != "bonus":
                    return None
                amount = amount * (joint_split[0] if role == "lead" else joint_split[1])
            if entry.event_key is None:
                total += amount
                continue
            group = ("event", entry.event_key)
        current = best.get(group)
        if current is None or amount > current:
            best[group] = amount
    for amount in best.values():
        total += amount
    return total


def _entry_key(entry: LedgerEntry) -> tuple[int, int | str]:
    return id_sort_key(entry.id)


def _check(entry: LedgerEntry, *, leaf_code: str, kind: str, prices: Mapping[str, tuple[str, Decimal]]) -> Explanation | None:
    """An entry that cannot be priced makes the unit incomplete rather than being guessed at."""
    if entry.kind != kind:
        return Explanation(
            "bad.ledger_kind",
            {"id": entry.id, "leaf": leaf_code, "expected": Explanation(f"kind.{kind}"), "kind": Explanation(f"kind.{entry.kind}")
             if entry.kind in ("deduction", "bonus") else entry.kind},
        )
    if entry.rule_key not in prices:
        return Explanation("bad.ledger_rule", {"id": entry.id, "leaf": leaf_code, "rule": entry.rule_key})
    if not isinstance(entry.quantity, Decimal | int) or isinstance(entry.quantity, bool) or entry.quantity < 0:
        return Explanation("bad.ledger_quantity", {"id": entry.id, "qty": str(entry.quantity)})
    if entry.exempt is not None and entry.exempt not in EXEMPTIONS:
        return Explanation("bad.ledger_exempt", {"id": entry.id, "value": entry.exempt})
    if entry.joint_role is not None:
        if entry.joint_role not in JOINT_ROLES:
            return Explanation("bad.ledger_joint", {"id": entry.id, "value": entry.joint_role})
        if kind != "bonus":
            return Explanation("bad.ledger_joint_deduction", {"id": entry.id})
    return None
