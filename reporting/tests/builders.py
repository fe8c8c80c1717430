"""Result revisions for reporting tests and the bench, computed by the real scoring engine.

``example_a`` stores worked example A (domain section 12) exactly as a computation job would:
the engine's pure ``compute_campaign`` on the example's scheme and inputs, each unit's result
written by the compute service's own row builder. ``synthetic`` does the same for ``n`` units
with varied, deterministic inputs (the bench's 2,000 units).
"""

from __future__ import annotations

import random
from dataclasses import replace
from decimal import Decimal as D

from evaluation.engine import compute_campaign, scheme_from_dict, scheme_to_dict
from evaluation.engine.examples import worked_example_a_inputs, worked_example_a_scheme
from evaluation.engine.types import InspectionDeduction, LedgerEntry, SurveyTally, Veto
from evaluation.models import Campaign, CampaignUnit, Category, ResultRevision, UnitResult
from evaluation.models import Unit as UnitModel
from evaluation.services.compute import _unit_result_row

DEMO_NAMES = {"U1": "财政局", "U2": "环保局", "U3": "交通局", "U4": "档案馆", "U5": "气象局", "U6": "市场监管局"}


def _store(tenant, campaign: Campaign, scheme_doc: dict, inputs, *, number: int, units=None) -> ResultRevision:
    scheme = scheme_from_dict(scheme_doc)
    result = compute_campaign(scheme, inputs)
    categories = {}
    for order, category in enumerate(scheme.categories):
        categories[category.code], _ = Category.objects.get_or_create(
            tenant=tenant, campaign=campaign, code=category.code, defaults={"name": category.name, "order": order}
        )
    if units is None:
        existing = {u.code: u for u in UnitModel.objects.filter(tenant=tenant)}
        missing = [
            UnitModel(tenant=tenant, code=i.unit_code, name=i.unit_name)
            for i in inputs
            if i.unit_code not in existing
        ]
        UnitModel.objects.bulk_create(missing, batch_size=1000)
        units = {u.code: u for u in UnitModel.objects.filter(tenant=tenant)}
    enrolled = set(CampaignUnit.objects.filter(campaign=campaign).values_list("unit__code", flat=True))
    CampaignUnit.objects.bulk_create(
        [
            CampaignUnit(tenant=tenant, campaign=campaign, unit=units[i.unit_code], category=categories[i.category_code])
            for i in inputs
            if i.unit_code not in enrolled
        ],
        batch_size=1000,
    )
    revision = ResultRevision.objects.create(
        tenant=tenant, campaign=campaign, number=number, fingerprint=f"test-{number}",
        reason="计算", scheme=scheme_to_dict(scheme),
    )
    unit_ids = {code: unit.pk for code, unit in units.items()}
    category_ids = {code: category.pk for code, category in categories.items()}
    rows = [
        _unit_result_row(revision, unit_result, unit_ids, category_ids)
        for category in result.categories
        for unit_result in category.units
    ]
    UnitResult.objects.bulk_create(rows, batch_size=500)
    return revision


def example_a(tenant, *, year: int = 2026, campaign: Campaign | None = None, number: int = 1) -> ResultRevision:
    """Worked example A as revision ``number`` of a campaign (created when not given)."""
    if campaign is None:
        campaign = Campaign.objects.create(
            tenant=tenant, year=year, name="机关绩效考评", document_number=f"南效〔{year}〕1号"
        )
    for code, name in DEMO_NAMES.items():
        UnitModel.objects.get_or_create(tenant=tenant, code=code, defaults={"name": name})
    return _store(tenant, campaign, worked_example_a_scheme(), worked_example_a_inputs(), number=number)


def example_a_inputs_changed():
    """Example A after a correction: U3 proves two of its five "unfinished" tasks were finished."""
    inputs = worked_example_a_inputs()
    u3 = next(i for i in inputs if i.unit_code == "U3")
    ledger = [replace(e, quantity=D(3)) if e.id == 301 else e for e in u3.ledger]
    return [replace(u3, ledger=ledger) if i.unit_code == "U3" else i for i in inputs]


def synthetic(tenant, n_units: int, *, seed: int = 8, year: int = 2026, campaign: Campaign | None = None) -> ResultRevision:
    """``n_units`` units on example A's scheme (two categories), inputs varied by ``seed``."""
    rng = random.Random(seed)
    if campaign is None:
        campaign = Campaign.objects.create(tenant=tenant, year=year, name=f"机关绩效考评(规模{n_units})")
    template = {i.unit_code: i for i in worked_example_a_inputs()}
    inputs = []
    entry_id = 10_000
    for k in range(1, n_units + 1):
        code = f"S{k:05d}"
        if k % 3:  # two thirds in category 1
            base = template[rng.choice(["U1", "U2", "U3", "U6"])]
            ledger = []
            for leaf, rule in (("1.2.1", "unfinished"), ("1.2.2", "late_reply"), ("3.1.1", "overdue")):
                count = rng.choice([0, 0, 0, 1, 1, 2])
                if count:
                    entry_id += 1
                    ledger.append(LedgerEntry(id=entry_id, unit_code=code, leaf_code=leaf, kind="deduction",
                                              rule_key=rule, quantity=D(count)))
            if rng.random() < 0.4:
                entry_id += 1
                ledger.append(LedgerEntry(id=entry_id, unit_code=code, leaf_code="4.1", kind="bonus",
                                          rule_key=rng.choice(["county", "city", "province"]), event_key=f"w{k}"))
            counts = dict(zip((D(100), D(80), D(60), D(0)), [rng.randint(20, 80), rng.randint(5, 40),
                                                             rng.randint(0, 30), rng.randint(0, 15)], strict=True))
            inputs.append(replace(
                base, unit_code=code, unit_name=f"单位{k:05d}", category_code="C1",
                measures={"1.1.1": D(rng.randint(10, 20)), "2.2.1": D(rng.randint(85, 100))},
                ledger=ledger,
                surveys={"public": SurveyTally(counts=counts, dont_know=rng.randint(0, 10))},
                inspections=[InspectionDeduction(id=f"I-{k}", points=D(rng.randint(1, 3)), label="察访发现问题")]
                if rng.random() < 0.3 else [],
                vetoes=[Veto(authority="安全生产", reason="责任事故")] if rng.random() < 0.02 else [],
            ))
        else:
            base = template[rng.choice(["U4", "U5"])]
            ledger = []
            late = rng.choice([0, 1, 2])
            if late:
                entry_id += 1
                ledger.append(LedgerEntry(id=entry_id, unit_code=code, leaf_code="1.2", kind="deduction",
                                          rule_key="late_submission", quantity=D(late)))
            inputs.append(replace(
                base, unit_code=code, unit_name=f"单位{k:05d}", category_code="C2",
                measures={"1.1": rng.choice([[], [], ["no_work_plan"], ["no_leading_group"]]),
                          "2.2": D(rng.randint(2, 8))},
                ledger=ledger,
            ))
    return _store(tenant, campaign, worked_example_a_scheme(), inputs, number=1)
