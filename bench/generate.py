"""Generate a province-sized campaign straight into PostgreSQL, deterministically.

    DJANGO_SETTINGS_MODULE=bench.settings DATABASE_URL=postgres://…/kaoping_bench \
        python bench/generate.py [--slug bench] [--units 2000] [--categories 4] [--leaves 120] \
            [--ledger 200000] [--ballots 1000000] [--votes 100000] [--findings 20000] [--seed 7] [--check]

Everything comes from ``random.Random(seed)``: the same arguments give the same rows (and, in a
fresh database, the same ids). What is written, for one tenant (``--slug``):

* the tenant, its office admin, leader, assessor, supervisor and data provider (password
  ``BENCH_PASSWORD``), two veto departments and a provider department;
* ``--units`` units in ``--categories`` categories, each category with an indicator tree of
  ``--leaves`` leaves worth 75 points mixing every scoring method of the scheme templates (rule
  parameters in the templates' shapes, priced in proportion to the leaf), a deduction pool of 20
  and a bonus pool capped at 5; a formula of indicators + public survey + democratic evaluation
  − inspections − special evaluations (− vetoes), and a grading (bands, top-n or shares), as in
  bench/engine_bench.py. The scheme goes in through the product's own import service
  (``scheme_document_import``), so the engine has checked it;
* the inputs every rule consumes: leaf measures and assessors' scores for every unit and leaf that
  needs one, ``--ledger`` ledger entries (台帐; event keys, exemptions, joint work, some voided),
  a public survey with ``--ballots`` ratings (答卷 of 20 units each, paper by survey point and
  online), a democratic evaluation with ``--votes`` votes by three evaluator groups, ``--findings``
  spot-check findings on visits (most confirmed, some pending, rejected or overturned on appeal),
  veto sign-offs (2 % vetoed) and special-evaluation last places.

Reference rows go through the ORM and the product's services; the big tables (measures, scores,
ledger, responses, answers, participations, ballots, votes, visits, findings) are loaded with
PostgreSQL ``COPY``. ``--check`` then computes the campaign in-process and prints a summary.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import itertools
import json
import math
import os
import random
import sys
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from decimal import ROUND_HALF_UP
from decimal import Decimal as D
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.engine_bench import COMPONENTS, GRADINGS, METHODS_CYCLE, _params  # noqa: E402

#: bump when the generator writes different rows for the same scale: run.py then regenerates
GENERATOR_VERSION = 3
BENCH_PASSWORD = "bench-password-2026"  # noqa: S105 - a throwaway benchmark database
YEAR = 2026
QUESTIONNAIRE_UNITS = 20  # units rated by one public-survey questionnaire (and one ballot sheet)
SURVEY_POINTS = 14  # Shenzhen's 14 survey points
PAPER_SHARE = 0.6  # the rest of the answers come from the e-poll
OPTIONS = ("满意", "基本满意", "一般", "不满意", "不了解")
OPTION_POINTS = {"满意": "100", "基本满意": "80", "一般": "60", "不满意": "0", "不了解": None}
# leaves the ledger services accept entries for (a checklist leaf reads its missing items instead)
LEDGER_METHODS = ("deduct_per_occurrence", "deduct_by_grade", "bonus_per_occurrence", "level_bonus")
MEASURE_METHODS = ("proportional", "shortfall_steps", "threshold", "quantity_steps", "rank_points")

CATEGORY_NAMES = ["党群部门", "政府工作部门", "垂直管理单位", "县(市、区)", "事业单位", "国有企业"]
PLACES = ["城关", "东城", "西城", "南湖", "北岸", "新港", "高新", "临江", "青山", "白沙", "金桥", "石门"]
BUREAUS = [
    "财政局", "环保局", "交通局", "档案馆", "气象局", "市场监管局", "教育局", "卫生健康委", "公安局", "民政局",
    "司法局", "人社局", "自然资源局", "住建局", "水利局", "农业农村局", "商务局", "文旅局", "审计局", "统计局",
    "医保局", "林业局", "城管局", "应急管理局", "信访局", "税务局", "供电公司", "烟草专卖局", "邮政管理局", "海关",
]
CATALOGUE = [
    ("JL01", "工作时间脱岗、串岗", "1"), ("JL02", "上班时间玩游戏、炒股、网购", "2"),
    ("JL03", "窗口服务态度生硬、推诿扯皮", "1"), ("JL04", "未落实首问负责制", "0.5"),
    ("JL05", "未按规定公开办事指南", "0.5"), ("JL06", "工作人员未佩戴工作牌", "0.5"),
    ("JL07", "违规收费或变相收费", "3"), ("JL08", "值班人员不在岗", "1"),
    ("JL09", "公车私用", "2"), ("JL10", "办公场所脏乱", "0.5"),
    ("JL11", "电话无人接听或态度恶劣", "1"), ("JL12", "午间饮酒", "2"),
]


@dataclass(frozen=True)
class Scale:
    """How big the campaign is; every number is a CLI option."""

    units: int = 2000
    categories: int = 4
    leaves: int = 120
    ledger: int = 200_000
    ballots: int = 1_000_000
    votes: int = 100_000
    findings: int = 20_000
    seed: int = 7

    def scaled_to(self, units: int) -> Scale:
        """The same campaign shape for ``units`` units: per-unit volumes kept, the tree unchanged."""
        ratio = units / self.units
        return replace(
            self,
            units=units,
            ledger=round(self.ledger * ratio),
            ballots=round(self.ballots * ratio),
            votes=round(self.votes * ratio),
            findings=round(self.findings * ratio),
        )


def marker_params(scale: Scale) -> dict[str, Any]:
    return {"version": GENERATOR_VERSION, "scale": asdict(scale)}


# ------------------------------------------------------------------------------------------------
# The scheme: a campaign document the product's import service checks and writes
# ------------------------------------------------------------------------------------------------


def _num(value: D) -> str:
    text = format(value.quantize(D("0.01"), ROUND_HALF_UP), "f").rstrip("0").rstrip(".")
    return text or "0"


def leaf_params(method: str, points: D, rng: random.Random) -> dict[str, Any]:
    """A rule's parameters in the templates' shapes, priced in proportion to the leaf's points
    (a 0.5-point leaf loses 0.05 per late reply, not 2)."""
    def share(fraction: str) -> str:
        return _num(points * D(fraction))

    if method == "deduct_per_occurrence":
        return {"kinds": [{"key": "overdue", "label": "逾期办理", "deduction": share("0.1")},
                          {"key": "returned", "label": "退回重办", "deduction": share("0.2")},
                          {"key": "false", "label": "办理结果与事实不符", "deduction": share("0.4")}]}
    if method == "deduct_by_grade":
        return {"grades": [{"key": "above_section", "label": "科级以上", "deduction": share("0.3")},
                           {"key": "below_section", "label": "科级以下", "deduction": share("0.2")}]}
    if method == "checklist":
        return {"items": [{"key": f"i{i}", "label": label, "deduction": share("0.25")}
                          for i, label in enumerate(("未成立领导小组", "未制定实施方案", "未按时报送总结"))]}
    if method == "bonus_per_occurrence":
        return {"kinds": [{"key": "city", "label": "市级报刊录用", "bonus": share("0.25")},
                          {"key": "province", "label": "省级报刊录用", "bonus": share("0.5")}]}
    if method == "level_bonus":
        return {"levels": [{"key": "county", "label": "县级", "points": share("0.25")},
                           {"key": "city", "label": "市级", "points": share("0.5")},
                           {"key": "province", "label": "省级", "points": share("0.75")},
                           {"key": "national", "label": "国家级", "points": share("1")}]}
    if method == "shortfall_steps":
        return {"target": "100", "step_pct": "5", "step_deduction": share("0.25"), "partial": rng.choice(["floor", "ceil"])}
    if method == "quantity_steps":
        return {"base_at": "50", "base_points": share("0.4"), "step": "50", "step_points": share("0.2"),
                "cap": _num(points)}
    if method == "rank_points":
        return {"table": {"1": _num(points), "2": share("0.75"), "3": share("0.5")}, "default": "0"}
    return _params(method, int(points), rng)  # manual, tiered, proportional, threshold, survey


def _leaf(code: str, name: str, method: str, points: D, rng: random.Random) -> dict[str, Any]:
    return {"code": code, "name": name, "points": _num(points),
            "rule": {"method": method, "params": leaf_params(method, points, rng)}}


def category_tree(index: int, leaves: int, rng: random.Random) -> list[dict[str, Any]]:
    """About ``leaves`` leaves worth 75 points (L1 nodes of 5 L2 nodes of 6 leaves; methods cycling
    through every kind), a deduction pool of 20 (overflowing into the total in category 2) and a
    bonus pool capped at 5: a tree of 100 points, as the formula's budget expects."""
    # 1-point and 0.5-point leaves spread evenly so that they add up to 75 (any 75..150 leaves)
    ones = min(max(150 - leaves, 0), leaves)
    even = D(75) / leaves if not 75 <= leaves <= 150 else None
    tree: list[dict[str, Any]] = []
    made = 0
    l1 = 0
    while made < leaves:
        l1 += 1
        l2_nodes = []
        for l2 in range(1, 6):
            if made >= leaves:
                break
            children = []
            for l3 in range(1, 7):
                if made >= leaves:
                    break
                method = METHODS_CYCLE[(made + index) % len(METHODS_CYCLE)]
                if even is not None:
                    points = even.quantize(D("0.01"))
                else:
                    points = D(1) if (made * ones) // leaves != ((made + 1) * ones) // leaves else D("0.5")
                made += 1
                children.append(_leaf(f"{l1}.{l2}.{l3}", f"指标{l1}.{l2}.{l3}", method, points, rng))
            l2_nodes.append({"code": f"{l1}.{l2}", "name": f"二级指标{l1}.{l2}", "children": children})
        tree.append({"code": str(l1), "name": f"一级指标{l1}", "children": l2_nodes})
    tree.append({"code": "Z", "name": "机关作风纪律", "points": "20",
                 "pool": {"kind": "deduction", "overflow": index == 1}, "children": [
                     {"code": f"Z.{i}", "name": f"违反工作纪律{i}", "points": "0",
                      "rule": {"method": "deduct_by_grade", "params": _params("deduct_by_grade", 0, rng)}}
                     for i in range(1, 4)]})
    tree.append({"code": "B", "name": "创先争优加分", "pool": {"kind": "bonus", "cap": "5"}, "children": [
        {"code": "B.1", "name": "争取上级资金", "points": "10",
         "rule": {"method": "quantity_steps",
                  "params": {"base_at": "50", "base_points": "1", "step": "50", "step_points": "1"}}},
        {"code": "B.2", "name": "经验做法推广", "points": "5",
         "rule": {"method": "level_bonus", "params": _params("level_bonus", 5, rng)}},
    ]})
    return tree


def category_entry(index: int, scale: Scale, unit_codes: list[str], rng: random.Random) -> dict[str, Any]:
    components = [dict(component) for component in COMPONENTS]
    veto: dict[str, Any] = {"mode": "ineligible"}
    if index % 4 == 3:
        components.append({"key": "vetoes", "label": "一票否决", "source": "vetoes", "mode": "deduction", "per_item": "2"})
        veto = {"mode": "deduction", "per_item": "2"}
    return {
        "code": f"C{index + 1}",
        "name": f"第{index + 1}类 {CATEGORY_NAMES[index % len(CATEGORY_NAMES)]}",
        "order": index + 1,
        "tree": category_tree(index, scale.leaves, rng),
        "components": components,
        "grading": GRADINGS[index % len(GRADINGS)],
        "veto": veto,
        "tie_break": ["public"] if index % 4 == 2 else [],
        "units": unit_codes,
        "survey_options": [{"label": label, "points": OPTION_POINTS[label]} for label in OPTIONS],
    }


def campaign_document(scale: Scale, unit_codes: list[str], rng: random.Random) -> dict[str, Any]:
    categories = []
    for index in range(scale.categories):
        codes = unit_codes[index :: scale.categories]
        categories.append(category_entry(index, scale, codes, rng))
    return {
        "format": "kaoping.campaign/1",
        "campaign": {
            "year": YEAR,
            "name": "机关绩效考评",
            "document_number": f"基准效〔{YEAR}〕1号",
            "phases": [
                {"phase": "year", "opens_on": f"{YEAR}-01-01", "deadline": f"{YEAR}-11-30"},
                {"phase": "year_end", "opens_on": f"{YEAR}-12-01", "deadline": f"{YEAR}-12-31"},
            ],
        },
        "units": [],
        "departments": [],
        "categories": categories,
        "survey_only_units": [],
    }


# ------------------------------------------------------------------------------------------------
# COPY
# ------------------------------------------------------------------------------------------------

def copy_rows(model, fields: Sequence[str], rows: Iterable[Sequence[Any]], *, chunk_bytes: int = 16 << 20) -> int:
    """COPY ``rows`` (tuples in the order of ``fields``) into ``model``'s table; returns the count.

    A column the generator does not name gets the field's default (a field added to the model
    later keeps working); a NOT NULL column without one stops the generator with its name instead
    of failing deep inside PostgreSQL.
    """
    from django.db import connection

    from evaluation.services.compute import copy_text

    def _cell(value: Any) -> str:
        return copy_text(json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else value)

    meta = model._meta
    named = set(fields)
    defaults = []
    for f in meta.concrete_fields:
        if f.name in named or (f.primary_key and f.get_internal_type().endswith("AutoField")):
            continue
        if f.has_default():
            defaults.append(f)
        elif not f.null:
            raise RuntimeError(f"bench/generate.py does not fill {meta.label}.{f.name}: update it")
    defaults.sort(key=lambda f: callable(f.default))  # constants first, then those made per row
    every = [*fields, *(f.name for f in defaults)]
    columns = ", ".join(connection.ops.quote_name(meta.get_field(name).column) for name in every)
    sql = f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN"
    constant = tuple(_cell(f.get_default()) for f in defaults if not callable(f.default))
    varying = [f for f in defaults if callable(f.default)]
    tail = "\t" + "\t".join(constant) if constant else ""
    count = 0
    buffer = io.StringIO()
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg2's own cursor: Django's wrapper has no copy_expert

        def flush() -> None:
            buffer.seek(0)
            raw.copy_expert(sql, buffer)
            buffer.seek(0)
            buffer.truncate()

        for row in rows:
            buffer.write("\t".join(map(_cell, row)))
            buffer.write(tail)
            for f in varying:
                buffer.write("\t" + _cell(f.get_default()))
            buffer.write("\n")
            count += 1
            if buffer.tell() >= chunk_bytes:
                flush()
        if buffer.tell():
            flush()
    return count


# ------------------------------------------------------------------------------------------------
# The generator
# ------------------------------------------------------------------------------------------------


def _unit_name(n: int) -> str:
    place = PLACES[(n // len(BUREAUS)) % len(PLACES)]
    return f"{place}{BUREAUS[n % len(BUREAUS)]}" + (f"{n // (len(BUREAUS) * len(PLACES)) + 1}" if n >= 360 else "")


def _price(params: dict[str, Any], rule_key: str, quantity: int) -> D:
    for list_name, value_name in (("kinds", "deduction"), ("grades", "deduction"), ("items", "deduction"),
                                  ("kinds", "bonus"), ("levels", "points")):
        for option in params.get(list_name, []) or []:
            if option.get("key") == rule_key and value_name in option:
                return (D(str(option[value_name])) * quantity).quantize(D("0.01"), ROUND_HALF_UP)
    raise ValueError(rule_key)


def _rule_keys(params: dict[str, Any]) -> list[str]:
    items = params.get("kinds") or params.get("grades") or params.get("items") or params.get("levels") or []
    return [item["key"] for item in items]


class Generator:
    """Writes one tenant's campaign; ``seconds`` records how long each part took."""

    def __init__(self, scale: Scale, slug: str, *, log=print) -> None:
        self.scale = scale
        self.slug = slug
        self.rng = random.Random(scale.seed)
        # uuids and hashes: a stream apart from the data's, and one per tenant (keys are global)
        self.ids = random.Random(f"ids:{slug}:{scale.seed}")
        self.zone = ZoneInfo("Asia/Shanghai")
        self.stamp = dt.datetime(YEAR, 12, 31, 18, 0, tzinfo=self.zone)
        self.seconds: dict[str, float] = {}
        self.counts: dict[str, int] = {}
        self.log = log

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.ids.getrandbits(128), version=4)

    def _day(self) -> dt.date:
        return dt.date(YEAR, 1, 1) + dt.timedelta(days=self.rng.randrange(334))

    def _phase(self, name: str, started: float) -> None:
        self.seconds[name] = round(time.perf_counter() - started, 2)
        self.log(f"  {name}: {self.seconds[name]:.1f} s")

    def run(self):
        from django.db import connection, transaction

        started = time.perf_counter()
        with transaction.atomic():
            if connection.vendor != "postgresql":
                raise RuntimeError("the generator loads with PostgreSQL COPY: point DATABASE_URL at PostgreSQL")
            with connection.cursor() as cursor:
                # Foreign keys are checked by triggers, one row at a time; the generator makes
                # consistent rows, so a superuser session skips them (a plain user keeps them).
                cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                if cursor.fetchone()[0]:
                    cursor.execute("SET LOCAL session_replication_role = replica")
            self.reference()
            self.scheme()
            self.measures_and_scores()
            self.ledger()
            self.public_survey()
            self.democratic()
            self.inspections()
            self.vetoes_and_direct_scores()
        t = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self._phase("analyze", t)
        self.marker(started)  # last: a generation cut short leaves no marker and is done again
        return self.campaign

    # --- tenant, people, units ---

    def reference(self) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.hashers import make_password

        from evaluation.models import Department, Membership, Tenant, Unit
        from evaluation.roles import Role

        t = time.perf_counter()
        self.tenant = Tenant.objects.create(
            slug=self.slug, name=f"基准市效能办({self.slug})", office_name="基准市机关效能建设领导小组办公室"
        )
        password = make_password(BENCH_PASSWORD)
        user_model = get_user_model()
        self.departments = {
            code: Department.objects.create(tenant=self.tenant, code=code, name=name, kind=kind)
            for code, name, kind in (
                ("JW", "市纪委监委", Department.Kind.VETO),
                ("AJ", "市应急管理局", Department.Kind.VETO),
                ("XF", "市信访局", Department.Kind.PROVIDER),
            )
        }
        self.users = {}
        self.members = {}
        for key, role, department in (
            ("admin", Role.OFFICE_ADMIN, None), ("leader", Role.LEADER, None), ("assessor", Role.ASSESSOR, None),
            ("supervisor", Role.SUPERVISOR, None), ("provider", Role.DATA_PROVIDER, self.departments["XF"]),
        ):
            user, _ = user_model.objects.update_or_create(
                username=f"{self.slug}-{key}", defaults={"password": password, "email": ""}
            )
            self.users[key] = user
            self.members[key] = Membership.objects.create(tenant=self.tenant, user=user, role=role,
                                                          department=department)
        units = [
            Unit(tenant=self.tenant, code=f"U{n + 1:05d}", name=_unit_name(n), kind="行政机关")
            for n in range(self.scale.units)
        ]
        Unit.objects.bulk_create(units, batch_size=2000)
        self.units = list(Unit.objects.filter(tenant=self.tenant).order_by("code"))
        # how well each unit does: drives every input so totals spread realistically
        self.quality = {u.pk: self.rng.uniform(0.35, 0.98) for u in self.units}
        self._phase("reference", t)

    # --- the scheme, through the product's import service ---

    def scheme(self) -> None:
        from evaluation.models import CampaignUnit, Phase
        from indicators.models import IndicatorNode
        from indicators.services.scheme import scheme_document_import

        t = time.perf_counter()
        document = campaign_document(self.scale, [u.code for u in self.units], self.rng)
        self.campaign = scheme_document_import(tenant=self.tenant, document=document, actor=self.users["admin"])
        type(self.campaign).objects.filter(pk=self.campaign.pk).update(phase=Phase.YEAR_END)
        self.campaign.phase = Phase.YEAR_END
        self.category_of = dict(
            CampaignUnit.objects.filter(campaign=self.campaign).values_list("unit_id", "category_id")
        )
        self.leaves: dict[int, list[IndicatorNode]] = {}
        for node in IndicatorNode.objects.filter(category__campaign=self.campaign).exclude(method="").order_by(
            "category_id", "order", "code", "id"
        ):
            self.leaves.setdefault(node.category_id, []).append(node)
        self.categories = sorted(self.leaves)
        self.units_of: dict[int, list] = {c: [] for c in self.categories}
        for unit in self.units:
            self.units_of[self.category_of[unit.pk]].append(unit)
        self.counts["leaves"] = sum(len(v) for v in self.leaves.values())
        self._phase("scheme", t)

    # --- measures and assessors' scores ---

    def measures_and_scores(self) -> None:
        from evaluation.models import AssessedScore, LeafMeasure

        t = time.perf_counter()
        campaign, tenant = self.campaign.pk, self.tenant.pk
        admin, assessor = self.users["admin"].pk, self.users["assessor"].pk
        measures: list[tuple] = []
        scores: list[tuple] = []
        for unit in self.units:
            q = self.quality[unit.pk]
            for node in self.leaves[self.category_of[unit.pk]]:
                method, params = node.method, node.params
                value: D | None = None
                items: list[str] | None = None
                if method == "proportional":
                    value = D(round(float(params["target"]) * self.rng.uniform(0.5 + q / 2, 1.1), 1)).quantize(D("0.1"))
                elif method in ("shortfall_steps", "threshold"):
                    value = D(self.rng.randint(int(80 + 16 * q), 104))
                elif method == "quantity_steps":
                    value = D(self.rng.randint(0, int(200 + 500 * q)))
                elif method == "rank_points":
                    value = D(self.rng.randint(1, 10))
                elif method == "checklist" and self.rng.random() < 0.4 * (1 - q) + 0.1:
                    items = sorted(self.rng.sample(_rule_keys(params), self.rng.randint(1, 2)))
                if value is not None or items is not None:
                    measures.append((tenant, campaign, unit.pk, node.pk, value, items or [], admin, self.stamp))
                if method == "manual":
                    score = (D(node.points) * D(str(round(self.rng.uniform(0.5 + q / 2, 1.0), 2)))).quantize(D("0.01"))
                    scores.append((tenant, campaign, unit.pk, node.pk, assessor, score, "", "", "documents", "",
                                   True, self.stamp))
                elif method == "tiered":
                    tier = "A" if self.rng.random() < q else self.rng.choice("BC")
                    scores.append((tenant, campaign, unit.pk, node.pk, assessor, None, tier, self.rng.choice("+0-"),
                                   "on_site", "", True, self.stamp))
        self.counts["measures"] = copy_rows(
            LeafMeasure, ["tenant", "campaign", "unit", "node", "value", "items", "entered_by", "updated_at"], measures
        )
        self.counts["assessed_scores"] = copy_rows(
            AssessedScore,
            ["tenant", "campaign", "unit", "node", "assessor", "score", "tier", "tier_adjustment", "verification",
             "comment", "is_final", "updated_at"],
            scores,
        )
        self._phase("measures and scores", t)

    # --- ledger ---

    def ledger(self) -> None:
        from evaluation.models import LedgerEntry

        t = time.perf_counter()
        campaign, tenant = self.campaign.pk, self.tenant.pk
        admin = self.users["admin"].pk
        provider = self.departments["XF"].pk
        ledger_leaves = {c: [n for n in nodes if n.method in LEDGER_METHODS] for c, nodes in self.leaves.items()}
        bonus_leaves = {c: [n for n in nodes if n.method in ("bonus_per_occurrence", "level_bonus")]
                        for c, nodes in ledger_leaves.items()}
        per_unit, extra = divmod(self.scale.ledger, max(len(self.units), 1))
        rows = []
        for index, unit in enumerate(self.units):
            q = self.quality[unit.pk]
            leaves = ledger_leaves[self.category_of[unit.pk]]
            bonuses = bonus_leaves[self.category_of[unit.pk]]
            for _ in range(per_unit + (1 if index < extra else 0)):
                node = self.rng.choice(leaves)
                if self.rng.random() < q * 0.5 and bonuses:  # good units earn bonuses more than deductions
                    node = self.rng.choice(bonuses)
                bonus = node.method in ("bonus_per_occurrence", "level_bonus")
                params = node.params
                rule_key = self.rng.choice(_rule_keys(params))
                quantity = self.rng.randint(1, 3)
                roll = self.rng.random()
                status = "confirmed" if roll < 0.80 else ("filed" if roll < 0.95 else "voided")
                day = self._day()
                rows.append((
                    tenant, campaign, unit.pk, node.pk, "bonus" if bonus else "deduction", rule_key, quantity,
                    _price(params, rule_key, quantity), day, f"效通〔{YEAR}〕{self.rng.randint(1, 300)}号",
                    f"ev{unit.pk}-{self.rng.randint(1, 8)}" if self.rng.random() < 0.25 else "",
                    self.rng.choice(["self_reported", "self_corrected"]) if not bonus and self.rng.random() < 0.08 else "",
                    self.rng.choice(["lead", "co"]) if bonus and self.rng.random() < 0.2 else "",
                    "", status, "重复登记" if status == "voided" else "",
                    provider if self.rng.random() < 0.3 else None, admin,
                    dt.datetime.combine(day, dt.time(9, 30), tzinfo=self.zone),
                ))
        self.counts["ledger_entries"] = copy_rows(
            LedgerEntry,
            ["tenant", "campaign", "unit", "node", "kind", "rule_key", "quantity", "points", "occurred_on",
             "source_document", "event_key", "exempt", "joint_role", "note", "status", "void_reason", "department",
             "filed_by", "filed_at"],
            rows,
        )
        self._phase("ledger", t)

    # --- public survey: questionnaires of 20 units, paper by survey point and e-poll ---

    def _option(self, q: float) -> int:
        """Index in OPTIONS of one rating by a respondent of a unit of quality ``q``."""
        if self.rng.random() < 0.05:
            return 4
        r = self.rng.random()
        if r < q * 0.75:
            return 0
        if r < q * 0.75 + 0.15:
            return 1
        return 2 if r < 0.93 else 3

    def public_survey(self) -> None:
        from evaluation.models import Category
        from surveys.models import (
            Answer,
            AnswerOption,
            EpollParticipation,
            PaperBatch,
            Question,
            Response,
            Survey,
            answer_key,
        )
        from surveys.services.setup import questionnaire_create, stratum_create, survey_create

        t = time.perf_counter()
        survey = survey_create(campaign=self.campaign, key="public", name="公众满意度评议", epoll_enabled=True,
                               purpose="仅用于统计满意度,不收集个人信息。")
        Survey.objects.filter(pk=survey.pk).update(ip_hourly_limit=0)
        strata = [stratum_create(survey=survey, code=f"P{i + 1:02d}", name=f"调查点{i + 1:02d}", quota=800)
                  for i in range(SURVEY_POINTS)]
        categories = {c.pk: c for c in Category.objects.filter(campaign=self.campaign)}
        questionnaires = []
        for category_id in self.categories:
            units = self.units_of[category_id]
            for start in range(0, len(units), QUESTIONNAIRE_UNITS):
                chunk = units[start : start + QUESTIONNAIRE_UNITS]
                questionnaires.append(questionnaire_create(
                    survey=survey, name=f"{categories[category_id].name} 问卷{start // QUESTIONNAIRE_UNITS + 1}",
                    units=chunk, category=categories[category_id],
                ))
        questions: dict[int, list[tuple[int, int]]] = {}
        for qid, question_id, unit_id in Question.objects.filter(questionnaire__survey=survey).order_by(
            "questionnaire_id", "order"
        ).values_list("questionnaire_id", "id", "unit_id"):
            questions.setdefault(qid, []).append((question_id, unit_id))
        options: dict[int, list[int]] = {}
        for qid, option_id in AnswerOption.objects.filter(questionnaire__survey=survey).order_by(
            "questionnaire_id", "order"
        ).values_list("questionnaire_id", "id"):
            options.setdefault(qid, []).append(option_id)
        batches = {}
        for questionnaire in questionnaires:
            for stratum in strata:
                batches[(questionnaire.pk, stratum.pk)] = PaperBatch(
                    tenant=self.tenant, survey=survey, questionnaire=questionnaire, stratum=stratum,
                    label=f"{stratum.code}-Q{questionnaire.pk}", status=PaperBatch.Status.CLOSED,
                    created_by=self.users["admin"],
                )
        PaperBatch.objects.bulk_create(batches.values(), batch_size=2000)

        total_questions = sum(len(v) for v in questions.values())
        tenant, survey_id = self.tenant.pk, survey.pk
        responses: list[tuple] = []
        participations: list[tuple] = []
        sheet_no: dict[int, int] = {}

        def answers() -> Iterable[tuple]:
            for questionnaire in questionnaires:
                rated = questions[questionnaire.pk]
                opts = options[questionnaire.pk]
                # responses so that ratings add up to --ballots, spread by questionnaire size
                count = math.floor(self.scale.ballots * len(rated) / total_questions + 0.5) // len(rated)
                for _ in range(count):
                    response_id = self.uuid()
                    if self.rng.random() < PAPER_SHARE:
                        stratum = strata[self.rng.randrange(len(strata))]
                        batch = batches[(questionnaire.pk, stratum.pk)]
                        sheet_no[batch.pk] = sheet_no.get(batch.pk, 0) + 1
                        responses.append((response_id, tenant, survey_id, questionnaire.pk, stratum.pk, "paper",
                                          batch.pk, sheet_no[batch.pk]))
                    else:
                        responses.append((response_id, tenant, survey_id, questionnaire.pk, None, "online", None, None))
                        participations.append((tenant, survey_id, f"{self.ids.getrandbits(256):064x}"))
                    for question_id, unit_id in rated:
                        yield (answer_key(response_id, question_id), tenant, response_id, question_id,
                               opts[self._option(self.quality[unit_id])])

        self.counts["answers"] = copy_rows(Answer, ["id", "tenant", "response", "question", "option"], answers())
        self.counts["responses"] = copy_rows(
            Response, ["id", "tenant", "survey", "questionnaire", "stratum", "channel", "batch", "sheet_no"], responses
        )
        self.counts["epoll_participations"] = copy_rows(
            EpollParticipation, ["tenant", "survey", "identity_hash"], participations
        )
        self.counts["questionnaires"] = len(questionnaires)
        self._phase("public survey", t)

    # --- democratic evaluation: three evaluator groups, ballots of 20 units ---

    def democratic(self) -> None:
        from surveys.models import Ballot, BallotToken, BallotVote, EvaluatorGroup
        from surveys.services.setup import democratic_create, evaluator_group_create

        t = time.perf_counter()
        evaluation = democratic_create(campaign=self.campaign, key="annual", name="年度民主测评", units=self.units)
        groups = [
            evaluator_group_create(evaluation=evaluation, code=code, name=name, kind=kind)
            for code, name, kind in (
                ("leaders", "市领导", EvaluatorGroup.Kind.LEADERS_OTHER),
                ("deputies", "人大代表和政协委员", EvaluatorGroup.Kind.DEPUTIES),
                ("cadres", "机关干部", EvaluatorGroup.Kind.CADRES),
            )
        ]
        tenant = self.tenant.pk
        sheets = [units[i : i + QUESTIONNAIRE_UNITS] for units in self.units_of.values()
                  for i in range(0, len(units), QUESTIONNAIRE_UNITS)]
        ballots: list[tuple] = []
        tokens: list[tuple] = []
        choices = ("satisfied", "average", "dissatisfied", "unknown")

        def votes() -> Iterable[tuple]:
            made = 0
            index = 0
            while made < self.scale.votes:
                sheet = sheets[index % len(sheets)]
                group = groups[(index // len(sheets)) % len(groups)]
                index += 1
                ballot_id = self.uuid()
                ballots.append((ballot_id, tenant, evaluation.pk, group.pk))
                tokens.append((tenant, evaluation.pk, group.pk, index, f"{self.ids.getrandbits(144):036x}", True))
                for unit in sheet[: self.scale.votes - made]:
                    q = self.quality[unit.pk]
                    r = self.rng.random()
                    choice = choices[3] if r < 0.04 else choices[0] if r < 0.04 + q * 0.8 else (
                        choices[1] if r < 0.97 else choices[2])
                    made += 1
                    yield (self.uuid(), tenant, ballot_id, unit.pk, choice)

        self.counts["votes"] = copy_rows(BallotVote, ["id", "tenant", "ballot", "unit", "choice"], votes())
        self.counts["ballots"] = copy_rows(Ballot, ["id", "tenant", "evaluation", "group"], ballots)
        copy_rows(BallotToken, ["tenant", "evaluation", "group", "serial", "token", "used"], tokens)
        self._phase("democratic evaluation", t)

    # --- inspections: catalogue, visits, findings ---

    def inspections(self) -> None:
        from django.db import connection

        from inspections.models import CatalogueItem, Finding, Visit

        t = time.perf_counter()
        items = CatalogueItem.objects.bulk_create([
            CatalogueItem(tenant=self.tenant, campaign=self.campaign, code=code, finding=finding, points=D(points),
                          order=i)
            for i, (code, finding, points) in enumerate(CATALOGUE)
        ])
        tenant, campaign = self.tenant.pk, self.campaign.pk
        supervisor = self.members["supervisor"].pk
        admin = self.users["admin"].pk
        plan: list[tuple[uuid.UUID, list[tuple]]] = []
        visits = []
        made = 0
        # weak units are found out more often
        cumulative = list(itertools.accumulate((1.05 - self.quality[u.pk]) ** 2 for u in self.units))
        while made < self.scale.findings:
            unit = self.rng.choices(self.units, cum_weights=cumulative)[0]
            when = dt.datetime.combine(self._day(), dt.time(self.rng.randint(8, 17), self.rng.randrange(60)),
                                       tzinfo=self.zone)
            key = self.uuid()
            findings = []
            for _ in range(min(self.rng.randint(1, 3), self.scale.findings - made)):
                item = items[self.rng.randrange(len(items))]
                roll = self.rng.random()
                status = "confirmed" if roll < 0.85 else ("pending" if roll < 0.95 else "rejected")
                appeal = ""
                if status == "confirmed" and self.rng.random() < 0.05:
                    appeal = self.rng.choice(["upheld", "dismissed"])
                reviewed = status != "pending"
                findings.append((tenant, item.pk, self.rng.choice([1, 1, 1, 2]), "", item.points, status,
                                 "" if status != "rejected" else "证据不足", admin if reviewed else None,
                                 when + dt.timedelta(days=3) if reviewed else None, appeal,
                                 "已整改" if appeal else "", when + dt.timedelta(days=5) if appeal else None,
                                 "维持" if appeal == "dismissed" else ("撤销扣分" if appeal else ""),
                                 when + dt.timedelta(days=9) if appeal else None))
                made += 1
            pending = any(f[5] == "pending" for f in findings)
            visits.append((key, tenant, campaign, unit.pk, supervisor, None, self.rng.choice(["covert", "announced"]),
                           when, f"{unit.name}办事大厅", None, None, None, "", "submitted" if pending else "reviewed",
                           [], when + dt.timedelta(hours=2)))
            plan.append((key, findings))
        self.counts["visits"] = copy_rows(
            Visit,
            ["key", "tenant", "campaign", "unit", "supervisor", "assignment", "mode", "visited_at", "place", "latitude",
             "longitude", "location_accuracy_m", "note", "status", "conflicts", "received_at"],
            visits,
        )
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT key, id FROM {Visit._meta.db_table} WHERE tenant_id = %s", [tenant])  # noqa: S608
            visit_ids = dict(cursor.fetchall())
        self.counts["findings"] = copy_rows(
            Finding,
            ["tenant", "item", "count", "note", "points_each", "status", "review_reason", "reviewed_by", "reviewed_at",
             "appeal", "appeal_reason", "appealed_at", "appeal_decision", "appeal_decided_at", "visit"],
            ((*finding, visit_ids[key]) for key, findings in plan for finding in findings),
        )
        self._phase("inspections", t)

    # --- veto sign-offs and vetoes, special evaluations' last places ---

    def vetoes_and_direct_scores(self) -> None:
        from evaluation.models import DirectScore, VetoDecision
        from evaluation.selectors.inputs import SPECIAL_LAST_KEY

        t = time.perf_counter()
        tenant, campaign = self.tenant.pk, self.campaign.pk
        admin = self.users["admin"].pk
        decisions = []
        direct = []
        for unit in self.units:
            vetoed = self.rng.random() < 0.02
            for code in ("JW", "AJ"):
                decision = "vetoed" if vetoed and code == "JW" else "signed_off"
                decisions.append((tenant, campaign, unit.pk, self.departments[code].pk, decision,
                                  "发生重大违纪案件" if decision == "vetoed" else "", "", admin, self.stamp))
            last = self.rng.choice([0, 0, 0, 0, 1, 1, 2])
            if last:
                direct.append((tenant, campaign, unit.pk, SPECIAL_LAST_KEY, D(last), admin, self.stamp))
        self.counts["veto_decisions"] = copy_rows(
            VetoDecision,
            ["tenant", "campaign", "unit", "department", "decision", "reason", "document", "decided_by", "decided_at"],
            decisions,
        )
        self.counts["direct_scores"] = copy_rows(
            DirectScore, ["tenant", "campaign", "unit", "key", "value", "entered_by", "updated_at"], direct
        )
        self._phase("vetoes and direct scores", t)

    def marker(self, started: float) -> None:
        from bench.minimal.models import Dataset

        self.seconds["total"] = round(time.perf_counter() - started, 2)
        Dataset.objects.update_or_create(
            slug=self.slug,
            defaults={"params": {**marker_params(self.scale), "counts": self.counts}, "campaign_id": self.campaign.pk,
                      "seconds": self.seconds},
        )


# ------------------------------------------------------------------------------------------------
# Checking what the engine makes of it, and the command line
# ------------------------------------------------------------------------------------------------


def revision_summary(revision) -> dict[str, Any]:
    """Per category: units, complete results, lowest / mean / highest total and the grades given."""
    from collections import Counter

    from evaluation.models import UnitResult

    out: dict[str, Any] = {}
    rows = UnitResult.objects.filter(revision=revision).values_list("category__code", "complete", "total", "grade")
    for code, complete, total, grade in rows:
        entry = out.setdefault(code, {"units": 0, "complete": 0, "totals": [], "grades": Counter()})
        entry["units"] += 1
        entry["complete"] += bool(complete)
        if total is not None:
            entry["totals"].append(total)
        entry["grades"][grade or "—"] += 1
    for entry in out.values():
        totals = entry.pop("totals")
        entry["min"] = str(min(totals)) if totals else None
        entry["mean"] = str((sum(totals) / len(totals)).quantize(D("0.01"))) if totals else None
        entry["max"] = str(max(totals)) if totals else None
        entry["grades"] = dict(sorted(entry["grades"].items()))
    return dict(sorted(out.items()))


def compute_in_process(campaign):
    """One campaign-scope job run here (no worker): the revision it wrote."""
    from evaluation.models import ComputeJob
    from evaluation.services.compute import compute_job_create, compute_job_execute

    job, _created = compute_job_create(campaign=campaign, scope=ComputeJob.Scope.CAMPAIGN)
    job = compute_job_execute(job_id=job.pk)
    if job.status != ComputeJob.Status.DONE:
        raise RuntimeError(f"compute job {job.pk} ended {job.status}: {job.message}")
    return job.revision


def add_scale_arguments(parser: argparse.ArgumentParser) -> None:
    default = Scale()
    parser.add_argument("--units", type=int, default=default.units, help="evaluated units (%(default)s)")
    parser.add_argument("--categories", type=int, default=default.categories, help="unit categories (%(default)s)")
    parser.add_argument("--leaves", type=int, default=default.leaves, help="leaves per indicator tree (%(default)s)")
    parser.add_argument("--ledger", type=int, default=default.ledger, help="ledger entries (%(default)s)")
    parser.add_argument("--ballots", type=int, default=default.ballots,
                        help="public-survey ratings, one unit rated on one questionnaire (%(default)s)")
    parser.add_argument("--votes", type=int, default=default.votes,
                        help="democratic-evaluation votes, one unit on one ballot (%(default)s)")
    parser.add_argument("--findings", type=int, default=default.findings, help="spot-check findings (%(default)s)")
    parser.add_argument("--seed", type=int, default=default.seed, help="random seed (%(default)s)")


def scale_from(args: argparse.Namespace) -> Scale:
    return Scale(units=args.units, categories=args.categories, leaves=args.leaves, ledger=args.ledger,
                 ballots=args.ballots, votes=args.votes, findings=args.findings, seed=args.seed)


def generate(scale: Scale, slug: str, *, log=print):
    """Write the campaign of ``scale`` under tenant ``slug``; returns (campaign, seconds, counts)."""
    from evaluation.models import Tenant

    if Tenant.objects.filter(slug=slug).exists():
        raise SystemExit(f"tenant {slug!r} already exists: generate into a fresh database (bench/run.py makes one)")
    log(f"generating {slug!r}: {scale}")
    generator = Generator(scale, slug, log=log)
    campaign = generator.run()
    log(f"  counts: {generator.counts}")
    log(f"  generated in {generator.seconds['total']:.1f} s")
    return campaign, generator.seconds, generator.counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_scale_arguments(parser)
    parser.add_argument("--slug", default="bench", help="tenant slug (%(default)s)")
    parser.add_argument("--check", action="store_true", help="compute the campaign in-process and summarise it")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    campaign, _seconds, _counts = generate(scale_from(args), args.slug)
    if args.check:
        started = time.perf_counter()
        revision = compute_in_process(campaign)
        print(f"computed in-process in {time.perf_counter() - started:.1f} s: revision {revision.number}")
        for code, entry in revision_summary(revision).items():
            print(f"  {code}: {entry}")


if __name__ == "__main__":
    main()
