"""Writing a whole scheme (考评方案) at once: import a scheme document, clone last year's,
start from a template.

Everything is checked before anything is written: the document's own fields here, the tree,
rules and formulas by the scoring engine. Every problem is collected and reported together;
on any problem nothing is saved.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models.deletion import ProtectedError

from evaluation.engine import SchemeError, scheme_from_dict
from evaluation.engine.params import to_decimal
from evaluation.engine.scheme_io import FORMAT as ENGINE_FORMAT
from evaluation.models import (
    Campaign,
    CampaignPhase,
    CampaignUnit,
    Category,
    Department,
    Phase,
    Tenant,
    Unit,
)
from evaluation.services.audit import audit_record
from indicators.models import CategoryRules, IndicatorNode
from indicators.selectors.scheme import CATEGORY_EXTRA_KEYS, DOCUMENT_FORMAT, scheme_document

__all__ = [
    "SchemeImportError",
    "campaign_clone",
    "campaign_from_template",
    "engine_part",
    "scheme_document_check",
    "scheme_document_import",
]

# "version" is the API's optimistic-lock token (indicators/selectors/scheme.py); an import ignores it.
_TOP_KEYS = ("format", "version", "campaign", "units", "departments", "categories", "survey_only_units")
_CAMPAIGN_KEYS = ("year", "name", "document_number", "phases")
_DETAIL_KEYS = ("description", "evidence_requirements", "provider", "open_for_targets")
_PHASES = {p.value for p in Phase}


class SchemeImportError(ValueError):
    """A scheme document that cannot be imported; ``messages`` lists every problem found."""

    def __init__(self, messages: Sequence[str]) -> None:
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


def engine_part(document: Mapping[str, Any]) -> dict[str, Any]:
    """The engine's scheme document inside a campaign document (the categories minus our extras)."""
    categories = document.get("categories")
    if not isinstance(categories, list):
        return {"format": ENGINE_FORMAT, "categories": categories}
    return {
        "format": ENGINE_FORMAT,
        "categories": [
            {k: v for k, v in c.items() if k not in CATEGORY_EXTRA_KEYS} if isinstance(c, Mapping) else c
            for c in categories
        ],
    }


def _date(value: Any, where: str, problems: list[str]) -> datetime.date | None:
    if value in (None, ""):
        return None
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        problems.append(f"{where}:日期“{value}”应写作 YYYY-MM-DD")
        return None


def _walk(nodes: Any) -> list[Mapping[str, Any]]:
    out: list[Mapping[str, Any]] = []
    if not isinstance(nodes, list):
        return out
    for node in nodes:
        if isinstance(node, Mapping):
            out.append(node)
            out.extend(_walk(node.get("children")))
    return out


def scheme_document_check(
    document: Any, *, tenant: Tenant, with_campaign: bool = True, engine: bool = True
) -> list[str]:
    """Every problem of a campaign scheme document, in Chinese, each naming where it is.

    ``with_campaign=False`` checks a document imported into an existing campaign (or a template),
    whose campaign block may be absent. ``engine=False`` leaves the tree, formulas and grades
    to the caller (the Excel import maps the engine's problems to sheet cells itself).
    """
    problems: list[str] = []
    if not isinstance(document, Mapping):
        return ["文档应为一个对象(JSON object)"]
    fmt = document.get("format")
    if fmt != DOCUMENT_FORMAT:
        problems.append(f"文档格式应为“{DOCUMENT_FORMAT}”,而不是“{fmt}”")
    unknown = sorted(set(document) - set(_TOP_KEYS))
    if unknown:
        problems.append(f"文档中有无法识别的字段:{', '.join(unknown)}")
    meta = document.get("campaign")
    if with_campaign or meta is not None:
        if not isinstance(meta, Mapping):
            problems.append("缺少“campaign”(年度、名称)")
        else:
            extra = sorted(set(meta) - set(_CAMPAIGN_KEYS))
            if extra:
                problems.append(f"campaign 中有无法识别的字段:{', '.join(extra)}")
            year = meta.get("year")
            if with_campaign and (isinstance(year, bool) or not isinstance(year, int) or not 1990 <= year <= 2100):
                problems.append(f"campaign.year:年度“{year}”应为 1990–2100 之间的整数")
            if with_campaign and not (isinstance(meta.get("name"), str) and meta["name"].strip()):
                problems.append("campaign.name:缺少方案名称")
            for index, phase in enumerate(meta.get("phases") or [], start=1):
                where = f"campaign.phases[{index}]"
                if not isinstance(phase, Mapping) or phase.get("phase") not in _PHASES:
                    problems.append(f"{where}:阶段应为 {' / '.join(sorted(_PHASES))} 之一")
                    continue
                opens = _date(phase.get("opens_on"), where, problems)
                deadline = _date(phase.get("deadline"), where, problems)
                if opens and deadline and deadline < opens:
                    problems.append(f"{where}:截止日期早于开始日期")
    # units and departments named by the document, plus the tenant's own
    doc_units: set[str] = set()
    for index, unit in enumerate(document.get("units") or [], start=1):
        if not isinstance(unit, Mapping) or not unit.get("code") or not unit.get("name"):
            problems.append(f"units[{index}]:单位须有代码(code)和名称(name)")
            continue
        if unit["code"] in doc_units:
            problems.append(f"units[{index}]:单位代码 {unit['code']} 重复")
        doc_units.add(str(unit["code"]))
    known_units = doc_units | set(Unit.objects.filter(tenant=tenant).values_list("code", flat=True))
    doc_departments = {
        str(d.get("code")) for d in document.get("departments") or [] if isinstance(d, Mapping) and d.get("code")
    }
    known_departments = doc_departments | set(Department.objects.filter(tenant=tenant).values_list("code", flat=True))

    categories = document.get("categories")
    enrolled: dict[str, str] = {}
    if isinstance(categories, list):
        for index, category in enumerate(categories, start=1):
            if not isinstance(category, Mapping):
                continue
            code = category.get("code") or f"#{index}"
            where = f"类别 {code}"
            for unit_code in category.get("units") or []:
                if unit_code not in known_units:
                    problems.append(f"{where}:单位 {unit_code} 既不在文档的 units 中,也不是本机关已有单位")
                if unit_code in enrolled:
                    problems.append(f"{where}:单位 {unit_code} 已列入类别 {enrolled[unit_code]},一个单位只能属于一个类别")
                enrolled[unit_code] = code
            for node in _walk(category.get("tree")):
                unit_code = node.get("unit_code")
                if unit_code and unit_code not in known_units:
                    problems.append(f"{where} 指标 {node.get('code')}:所属单位 {unit_code} 不存在")
            codes = {n.get("code") for n in _walk(category.get("tree"))}
            details = category.get("node_details") or {}
            if not isinstance(details, Mapping):
                problems.append(f"{where}:node_details 应为对象")
                details = {}
            for node_code, detail in details.items():
                if node_code not in codes:
                    problems.append(f"{where}:node_details 中的指标 {node_code} 不在指标树中")
                if not isinstance(detail, Mapping):
                    problems.append(f"{where} 指标 {node_code}:node_details 应为对象")
                    continue
                extra = sorted(set(detail) - set(_DETAIL_KEYS))
                if extra:
                    problems.append(f"{where} 指标 {node_code}:无法识别的字段 {', '.join(extra)}")
                provider = detail.get("provider")
                if provider and provider not in known_departments:
                    problems.append(f"{where} 指标 {node_code}:数据提供部门 {provider} 不存在")
            problems.extend(_survey_option_problems(category.get("survey_options"), where))
            order = category.get("order", 0)
            if isinstance(order, bool) or not isinstance(order, int) or order < 0:
                problems.append(f"{where}:order 应为非负整数")
    for unit_code in document.get("survey_only_units") or []:
        if unit_code not in known_units:
            problems.append(f"仅参加公众评议的单位 {unit_code} 不存在")
        if unit_code in enrolled:
            problems.append(f"单位 {unit_code} 已列入类别 {enrolled[unit_code]},不能同时“仅参加公众评议”")
    if engine:
        try:
            scheme_from_dict(engine_part(document))
        except SchemeError as error:
            problems.extend(error.messages)
    return problems


def _survey_option_problems(options: Any, where: str) -> list[str]:
    problems: list[str] = []
    if options in (None, []):
        return problems
    if not isinstance(options, list):
        return [f"{where}:survey_options 应为列表"]
    labels: set[str] = set()
    for index, option in enumerate(options, start=1):
        if not isinstance(option, Mapping) or not option.get("label"):
            problems.append(f"{where} 问卷选项 {index}:缺少选项名称(label)")
            continue
        if option["label"] in labels:
            problems.append(f"{where} 问卷选项 {index}:选项“{option['label']}”重复")
        labels.add(option["label"])
        points = option.get("points")
        if points is not None and (to_decimal(points) is None or to_decimal(points) < 0):
            problems.append(f"{where} 问卷选项 {index}:分值“{points}”应为非负数字(不计分的选项留空)")
    return problems


# ------------------------------------------------------------------------------------------------
# Writing
# ------------------------------------------------------------------------------------------------


def _decimal_or_none(value: Any):
    return None if value is None else to_decimal(value)


def _write_categories(*, campaign: Campaign, document: Mapping[str, Any]) -> None:
    tenant = campaign.tenant
    units = {u.code: u for u in Unit.objects.filter(tenant=tenant)}
    for unit in document.get("units") or []:
        if unit["code"] not in units:
            units[unit["code"]] = Unit.objects.create(
                tenant=tenant, code=unit["code"], name=unit["name"], kind=unit.get("kind", "") or ""
            )
    departments = {d.code: d for d in Department.objects.filter(tenant=tenant)}
    for department in document.get("departments") or []:
        if department["code"] not in departments:
            departments[department["code"]] = Department.objects.create(
                tenant=tenant,
                code=department["code"],
                name=department.get("name") or department["code"],
                kind=department.get("kind") or Department.Kind.PROVIDER,
            )
    enrolments: list[CampaignUnit] = []
    for index, entry in enumerate(document["categories"], start=1):
        category = Category.objects.create(
            tenant=tenant, campaign=campaign, code=entry["code"], name=entry["name"], order=entry.get("order", index)
        )
        joint = entry.get("joint_split")
        CategoryRules.objects.create(
            tenant=tenant,
            category=category,
            components=entry.get("components") or [],
            grading=entry.get("grading") or {},
            veto=entry.get("veto") or {"mode": "none"},
            tie_break=entry.get("tie_break") or [],
            name_last_place=entry.get("name_last_place", True),
            joint_split=joint if isinstance(joint, Mapping) else {},
            points=_decimal_or_none(entry.get("points")),
            survey_options=entry.get("survey_options") or [],
        )
        details = entry.get("node_details") or {}
        new_nodes: list[tuple[IndicatorNode, str | None]] = []

        def collect(nodes: list, parent_code: str | None, category=category, details=details,
                    new_nodes=new_nodes) -> None:
            for order, node in enumerate(nodes, start=1):
                detail = details.get(node["code"], {})
                pool = node.get("pool") or {}
                rule = node.get("rule") or {}
                row = IndicatorNode(
                    tenant=tenant,
                    category=category,
                    code=node["code"],
                    name=node["name"],
                    points=_decimal_or_none(node.get("points")),
                    weight=_decimal_or_none(node.get("weight")),
                    order=order,
                    description=detail.get("description", ""),
                    evidence_requirements=detail.get("evidence_requirements", ""),
                    method=rule.get("method", ""),
                    params=rule.get("params") or {},
                    pool_kind=pool.get("kind", ""),
                    pool_overflow=bool(pool.get("overflow", False)),
                    pool_cap=_decimal_or_none(pool.get("cap")),
                    unit=units[node["unit_code"]] if node.get("unit_code") else None,
                    provider=departments.get(detail["provider"]) if detail.get("provider") else None,
                    open_for_targets=bool(detail.get("open_for_targets", False)),
                )
                new_nodes.append((row, parent_code))
                collect(node.get("children") or [], node["code"], category, details, new_nodes)

        collect(entry.get("tree") or [], None)
        # Two statements per level would do; one bulk insert and one bulk parent update is simpler.
        created = IndicatorNode.objects.bulk_create([row for row, _ in new_nodes])
        by_code = {row.code: row for row in created}
        if any(row.pk is None for row in created):  # backends without RETURNING
            by_code = {n.code: n for n in IndicatorNode.objects.filter(category=category)}
        with_parent = []
        for row, parent_code in new_nodes:
            if parent_code is not None:
                node = by_code[row.code]
                node.parent = by_code[parent_code]
                with_parent.append(node)
        IndicatorNode.objects.bulk_update(with_parent, ["parent"])
        for unit_code in entry.get("units") or []:
            enrolments.append(
                CampaignUnit(tenant=tenant, campaign=campaign, unit=units[unit_code], category=category)
            )
    for unit_code in document.get("survey_only_units") or []:
        enrolments.append(
            CampaignUnit(tenant=tenant, campaign=campaign, unit=units[unit_code], category=None, survey_only=True)
        )
    CampaignUnit.objects.bulk_create(enrolments)


def _write_phases(*, campaign: Campaign, phases: Sequence[Mapping[str, Any]]) -> None:
    CampaignPhase.objects.bulk_create(
        [
            CampaignPhase(
                tenant=campaign.tenant,
                campaign=campaign,
                phase=p["phase"],
                opens_on=datetime.date.fromisoformat(p["opens_on"]) if p.get("opens_on") else None,
                deadline=datetime.date.fromisoformat(p["deadline"]) if p.get("deadline") else None,
            )
            for p in phases
        ]
    )


def scheme_document_import(
    *,
    tenant: Tenant,
    document: Mapping[str, Any],
    actor,
    campaign: Campaign | None = None,
    year: int | None = None,
    name: str | None = None,
    cloned_from: Campaign | None = None,
    source: str = "document",
) -> Campaign:
    """Create a campaign from a scheme document, or replace the scheme of ``campaign``.

    ``year`` and ``name`` override the document's campaign block (a template has none).
    Replacing is allowed while the campaign is being configured and nothing refers to its
    indicators yet. Raises :class:`SchemeImportError` with every problem; saves nothing then.
    ``source`` (document, workbook, clone, template) is written to the audit trail with a
    summary of what was imported: one event per import.
    """
    if not isinstance(document, Mapping):  # a JSON array or scalar posted as the document
        raise SchemeImportError(scheme_document_check(document, tenant=tenant))
    document = dict(document)
    if campaign is None and (year is not None or name is not None):
        meta = dict(document.get("campaign") or {})
        if year is not None:
            meta["year"] = year
        if name is not None:
            meta["name"] = name
        meta.setdefault("document_number", "")
        meta.setdefault("phases", [])
        document["campaign"] = meta
    problems = scheme_document_check(document, tenant=tenant, with_campaign=campaign is None)
    if campaign is None and not problems:
        meta = document["campaign"]
        if Campaign.objects.filter(tenant=tenant, year=meta["year"], name=meta["name"]).exists():
            problems.append(f"{meta['year']} 年度已有名为“{meta['name']}”的考评方案")
    if campaign is not None and campaign.phase != Phase.CONFIGURE:
        problems.append("只有处于“方案配置”阶段的考评方案可以整体替换方案")
    if problems:
        raise SchemeImportError(problems)
    try:
        with transaction.atomic():
            before = None
            if campaign is None:
                meta = document["campaign"]
                campaign = Campaign.objects.create(
                    tenant=tenant,
                    year=meta["year"],
                    name=meta["name"].strip(),
                    document_number=meta.get("document_number") or "",
                    cloned_from=cloned_from,
                )
                _write_phases(campaign=campaign, phases=meta.get("phases") or [])
            else:
                before = _scheme_summary(campaign)
                CampaignUnit.objects.filter(campaign=campaign).delete()
                # children first is not needed: the parent FK cascades inside one category
                IndicatorNode.objects.filter(category__campaign=campaign).delete()
                Category.objects.filter(campaign=campaign).delete()
            _write_categories(campaign=campaign, document=document)
            after = {"source": source, **_scheme_summary(campaign)}
            if cloned_from is not None:
                after["cloned_from"] = cloned_from.title
            audit_record(tenant=tenant, actor=actor, action="scheme.import", obj=campaign, before=before, after=after,
                         label=campaign.title)
    except ProtectedError as error:
        raise SchemeImportError(["方案的指标已被台帐、评分或单位细化目标引用,不能整体替换"]) from error
    except IntegrityError as error:
        raise SchemeImportError([f"保存失败:{error}"]) from error
    return campaign


def _scheme_summary(campaign: Campaign) -> dict[str, Any]:
    """What the audit trail keeps of a whole scheme: its categories and how much is in each."""
    categories = {}
    for category in Category.objects.filter(campaign=campaign).order_by("order", "code"):
        categories[category.code] = {
            "name": category.name,
            "nodes": IndicatorNode.objects.filter(category=category).count(),
            "units": CampaignUnit.objects.filter(campaign=campaign, category=category).count(),
        }
    return {
        "categories": categories,
        "survey_only_units": CampaignUnit.objects.filter(campaign=campaign, category__isnull=True).count(),
    }


def campaign_clone(*, source: Campaign, year: int, name: str, actor) -> Campaign:
    """“New campaign from last year”: the same scheme, categories and units, none of the data.

    Phase dates move by the difference in years; no ledger, scores or results are copied.
    """
    document = scheme_document(source)
    shift = year - source.year
    phases = []
    for phase in document["campaign"]["phases"]:
        moved = dict(phase)
        for key in ("opens_on", "deadline"):
            if moved.get(key):
                day = datetime.date.fromisoformat(moved[key])
                try:
                    moved[key] = day.replace(year=day.year + shift).isoformat()
                except ValueError:  # 29 February into a common year
                    moved[key] = day.replace(year=day.year + shift, day=28).isoformat()
        phases.append(moved)
    document["campaign"] = {
        "year": year,
        "name": name,
        "document_number": "",
        "phases": phases,
    }
    return scheme_document_import(tenant=source.tenant, document=document, actor=actor, cloned_from=source,
                                  source="clone")


def campaign_from_template(*, tenant: Tenant, template_key: str, year: int, name: str, actor) -> Campaign:
    """A new campaign whose scheme reproduces a template of the library."""
    from indicators.templates_library import load_template

    template = load_template(template_key)
    return scheme_document_import(tenant=tenant, document=template.document, actor=actor, year=year, name=name,
                                  source=f"template:{template_key}")
