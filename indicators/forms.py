"""Forms of the scheme editor. They read and shape input; services decide."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from evaluation.engine.params import to_decimal
from evaluation.models import Campaign, Department, Phase, Unit
from indicators.models import IndicatorNode, Method
from indicators.selectors.scheme import dec_text
from indicators.services.params_text import SPECS, params_from_fields, params_to_fields
from indicators.services.tree import NodeData
from indicators.templates_library import all_templates

NODE_KINDS = [
    ("group", _("分组(由下级指标合计)")),
    ("leaf", _("末级指标(计分)")),
    ("deduction", _("扣分池")),
    ("bonus", _("加分池")),
]
COMPONENT_SOURCES = [
    ("indicators", _("指标考核")),
    ("survey", _("公众评议 survey:<代码>")),
    ("democratic", _("民主测评 democratic:<代码>")),
    ("direct", _("直接录入 direct:<代码>")),
    ("inspections", _("察访核验扣分")),
    ("vetoes", _("一票否决扣分")),
    ("special_last", _("专项考评后五名扣分")),
]
COMPONENT_MODES = [
    ("weight", _("× 权重")),
    ("budget", _("折算到分值")),
    ("points", _("按分值合计")),
    ("deduction", _("扣分")),
]
GRADING_KINDS = [("bands", _("按分数段")), ("top_n", _("按名次(前 N 名)")), ("shares", _("按比例"))]
VETO_MODES = [("ineligible", _("不得评为最高等次")), ("deduction", _("每项扣分")), ("none", _("只记录"))]


def _year_field() -> forms.IntegerField:
    return forms.IntegerField(label=_("年度"), min_value=1990, max_value=2100)


class FromTemplateForm(forms.Form):
    template = forms.ChoiceField(label=_("模板"))
    year = _year_field()
    name = forms.CharField(label=_("方案名称"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [(t.key, t.name) for t in all_templates()]


class CloneForm(forms.Form):
    prefix = "clone"
    source = forms.ModelChoiceField(label=_("复制自"), queryset=Campaign.objects.none())
    year = _year_field()
    name = forms.CharField(label=_("方案名称"), max_length=200)

    def __init__(self, *args, campaigns=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = campaigns if campaigns is not None else Campaign.objects.none()


class ImportForm(forms.Form):
    prefix = "import"
    file = forms.FileField(label=_("方案文件(.xlsx 或 .json)"))
    year = forms.IntegerField(label=_("年度(留空则用文件中的)"), min_value=1990, max_value=2100, required=False)
    name = forms.CharField(label=_("方案名称(留空则用文件中的)"), max_length=200, required=False)


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["name", "document_number", "phase"]


class PhaseRow(forms.Form):
    opens_on = forms.DateField(label=_("开始"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    deadline = forms.DateField(label=_("截止"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("opens_on") and data.get("deadline") and data["deadline"] < data["opens_on"]:
            raise forms.ValidationError(_("截止日期早于开始日期"))
        return data


def phase_forms(data=None, initial: dict | None = None) -> list[tuple[str, Any, PhaseRow]]:
    initial = initial or {}
    return [(p.value, p.label, PhaseRow(data, prefix=f"phase-{p.value}", initial=initial.get(p.value))) for p in Phase]


class CategoryForm(forms.Form):
    prefix = "category"
    code = forms.CharField(label=_("类别代码"), max_length=40)
    name = forms.CharField(label=_("类别名称"), max_length=200)


class UnitForm(forms.Form):
    prefix = "unit"
    code = forms.CharField(label=_("单位代码"), max_length=40)
    name = forms.CharField(label=_("单位名称"), max_length=200)
    kind = forms.CharField(label=_("单位性质"), max_length=100, required=False)


def _decimal(value: str, label: str, errors: list[str]) -> Decimal | None:
    value = (value or "").strip()
    if not value:
        return None
    number = to_decimal(value)
    if number is None:
        errors.append(f"“{label}”应为数字,而不是“{value}”")
    return number


class NodeForm(forms.Form):
    """One node: its place, what it is, and for a leaf its scoring method and parameters.

    Parameter inputs are named ``p-<method>-<param>``; only the chosen method's are read.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    parent = forms.ChoiceField(label=_("上级指标"), required=False)
    code = forms.CharField(label=_("编号"), max_length=40)
    name = forms.CharField(label=_("名称"), max_length=200)
    kind = forms.ChoiceField(label=_("类型"), choices=NODE_KINDS)
    points = forms.CharField(label=_("分值"), required=False)
    weight = forms.CharField(label=_("权重"), required=False)
    method = forms.ChoiceField(label=_("计分方法"), choices=[("", "—"), *Method.choices], required=False)
    pool_overflow = forms.BooleanField(label=_("扣分超过本项分值时,超出部分从总分中扣除"), required=False)
    pool_cap = forms.CharField(label=_("加分上限"), required=False)
    unit = forms.ModelChoiceField(label=_("所属单位(单位细化指标)"), queryset=Unit.objects.none(), required=False)
    provider = forms.ModelChoiceField(label=_("数据提供部门"), queryset=Department.objects.none(), required=False)
    open_for_targets = forms.BooleanField(label=_("开放单位细化指标"), required=False)
    description = forms.CharField(label=_("考评内容"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    evidence_requirements = forms.CharField(label=_("佐证材料要求"), widget=forms.Textarea(attrs={"rows": 2}),
                                            required=False)

    def __init__(self, *args, category, node: IndicatorNode | None = None, nodes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.category = category
        self.node = node
        self.nodes = {n.pk: n for n in nodes}
        excluded = _subtree_ids(node, nodes) if node is not None else set()
        self.fields["parent"].choices = [("", _("(顶层)"))] + [
            (str(n.pk), f"{n.code} {n.name}") for n in nodes if not n.method and n.pk not in excluded
        ]
        self.fields["unit"].queryset = Unit.objects.filter(tenant_id=category.tenant_id)
        self.fields["provider"].queryset = Department.objects.filter(tenant_id=category.tenant_id)
        self.param_values: dict[str, dict[str, str]] = {}
        for method, specs in SPECS.items():
            if self.is_bound:
                self.param_values[method] = {s.name: self.data.get(f"p-{method}-{s.name}", "") for s in specs}
            elif node is not None and node.method == method:
                self.param_values[method] = params_to_fields(method, node.params)
            else:
                self.param_values[method] = {s.name: "" for s in specs}
        self.problems: list[str] = []

    @classmethod
    def initial_for(cls, node: IndicatorNode | None, parent: IndicatorNode | None = None) -> dict[str, Any]:
        if node is None:
            return {"parent": str(parent.pk) if parent else "", "kind": "leaf", "method": "manual"}
        kind = "leaf" if node.method else (node.pool_kind or "group")
        return {
            "version": node.version, "parent": str(node.parent_id or ""), "code": node.code, "name": node.name,
            "kind": kind, "points": dec_text(node.points) or "", "weight": dec_text(node.weight) or "",
            "method": node.method, "pool_overflow": node.pool_overflow, "pool_cap": dec_text(node.pool_cap) or "",
            "unit": node.unit_id, "provider": node.provider_id, "open_for_targets": node.open_for_targets,
            "description": node.description, "evidence_requirements": node.evidence_requirements,
        }

    def method_fields(self) -> list[dict[str, Any]]:
        """For the template: each method's parameter inputs with their current text."""
        out = []
        for value, label in Method.choices:
            specs = SPECS.get(value, ())
            out.append({
                "method": value,
                "label": label,
                "fields": [
                    {"spec": s, "name": f"p-{value}-{s.name}", "value": self.param_values[value].get(s.name, "")}
                    for s in specs
                ],
            })
        return out

    def params(self) -> tuple[dict[str, Any], list[str]]:
        method = self.data.get("method", "") if self.is_bound else (self.node.method if self.node else "")
        return params_from_fields(method, self.param_values.get(method, {}))

    def node_data(self) -> NodeData | None:
        """The submitted node, or None with ``self.problems`` filled."""
        if not self.is_valid():
            self.problems = [f"{self.fields[f].label if f in self.fields else ''}:{e}" for f, errs in
                             self.errors.items() for e in errs]
            return None
        data = self.cleaned_data
        problems: list[str] = []
        points = _decimal(data["points"], "分值", problems)
        weight = _decimal(data["weight"], "权重", problems)
        pool_cap = _decimal(data["pool_cap"], "加分上限", problems)
        params: dict[str, Any] = {}
        method = ""
        if data["kind"] == "leaf":
            method = data["method"]
            if not method:
                problems.append("末级指标须选择计分方法")
            else:
                params, more = self.params()
                problems.extend(f"计分参数{p}" for p in more)
        parent = self.nodes.get(int(data["parent"])) if data.get("parent") else None
        if data.get("parent") and parent is None:
            problems.append("上级指标不存在")
        if problems:
            where = f"类别 {self.category.code} 指标 {data['code']}"
            self.problems = [f"{where}:{p}" for p in problems]
            return None
        return NodeData(
            code=data["code"], name=data["name"], kind=data["kind"], points=points, weight=weight,
            description=data["description"], evidence_requirements=data["evidence_requirements"],
            method=method, params=params, pool_overflow=data["pool_overflow"], pool_cap=pool_cap,
            unit=data["unit"], provider=data["provider"], open_for_targets=data["open_for_targets"], parent=parent,
        )


def _subtree_ids(node: IndicatorNode, nodes) -> set[int]:
    children: dict[int | None, list[int]] = {}
    for n in nodes:
        children.setdefault(n.parent_id, []).append(n.pk)
    out, frontier = {node.pk}, [node.pk]
    while frontier:
        frontier = [c for p in frontier for c in children.get(p, [])]
        out.update(frontier)
    return out


# ------------------------------------------------------------------------------------------------
# Category rules
# ------------------------------------------------------------------------------------------------

COMPONENT_FIELDS = ("key", "label", "source", "source_key", "mode", "weight", "budget", "cap", "per_item", "params")
EXTRA_COMPONENT_ROWS = 2


def _lines(text: str) -> list[list[str]]:
    return [[c.strip() for c in line.split("|")] for line in (text or "").splitlines() if line.strip()]


def rules_initial(entry: dict[str, Any], survey_options: list) -> dict[str, Any]:
    """The rules editor's inputs from a category's stored rules (engine dict shape)."""
    grading = entry.get("grading") or {"kind": "bands", "bands": []}
    veto = entry.get("veto") or {"mode": "none"}
    components = []
    for c in entry.get("components") or []:
        kind, _sep, key = str(c.get("source", "")).partition(":")
        components.append({
            "key": c.get("key", ""), "label": c.get("label", ""), "source": kind, "source_key": key,
            "mode": c.get("mode", ""), "weight": c.get("weight") or "", "budget": c.get("budget") or "",
            "cap": c.get("cap") or "", "per_item": c.get("per_item") or "",
            "params": json.dumps(c["params"], ensure_ascii=False) if c.get("params") else "",
        })
    split = entry.get("joint_split") or {"lead": "0.8", "co": "0.2"}
    return {
        "components": components,
        "grading_kind": grading.get("kind", "bands"),
        "bands": "\n".join(f"{b.get('grade')} | {b.get('min') if b.get('min') is not None else ''}"
                           for b in grading.get("bands") or []),
        "top_n": grading.get("n", ""), "top_grade": grading.get("top_grade", ""),
        "default_grade": grading.get("default_grade", ""), "fail_below": grading.get("fail_below", "") or "",
        "fail_grade": grading.get("fail_grade", "") or "",
        "shares": "\n".join(f"{t.get('grade')} | {t.get('share')}" for t in grading.get("tiers") or []),
        "veto_mode": veto.get("mode", "none"), "veto_per_item": veto.get("per_item", "") or "",
        "tie_break": ", ".join(entry.get("tie_break") or []),
        "name_last_place": entry.get("name_last_place", True),
        "joint_lead": split.get("lead", "0.8"), "joint_co": split.get("co", "0.2"),
        "points": entry.get("points", "") or "",
        "survey_options": "\n".join(
            f"{o.get('label')} | {o.get('points') if o.get('points') is not None else ''}" for o in survey_options
        ),
    }


def rules_from_post(post) -> tuple[dict[str, Any], list[str], dict[str, Any]]:
    """(rules in the engine dict's shape, problems of reading the inputs, the inputs echoed back)."""
    problems: list[str] = []
    components = []
    echoed_components = []
    count = int(post.get("component-count") or 0)
    for index in range(count):
        row = {name: (post.get(f"c{index}-{name}") or "").strip() for name in COMPONENT_FIELDS}
        if not any(row[name] for name in ("key", "label", "source_key", "weight", "budget", "cap", "per_item")):
            continue
        echoed_components.append(row)
        source = row["source"] + (f":{row['source_key']}" if row["source_key"] else "")
        component: dict[str, Any] = {"key": row["key"], "label": row["label"], "source": source, "mode": row["mode"]}
        for name in ("weight", "budget", "cap", "per_item"):
            if row[name]:
                component[name] = row[name]
        if row["params"]:
            try:
                component["params"] = json.loads(row["params"])
            except ValueError:
                problems.append(f"组成项 {row['key'] or index + 1}:参数应为 JSON 对象")
        components.append(component)
    kind = post.get("grading_kind", "bands")
    grading: dict[str, Any] = {"kind": kind}
    if kind == "bands":
        bands = []
        for cells in _lines(post.get("bands", "")):
            bands.append({"grade": cells[0], "min": (cells[1] if len(cells) > 1 and cells[1] else None)})
        grading["bands"] = bands
    elif kind == "top_n":
        n = (post.get("top_n") or "").strip()
        grading["n"] = int(n) if n.isdigit() else n
        grading["top_grade"] = (post.get("top_grade") or "").strip()
        grading["default_grade"] = (post.get("default_grade") or "").strip()
        if (post.get("fail_below") or "").strip():
            grading["fail_below"] = post["fail_below"].strip()
        if (post.get("fail_grade") or "").strip():
            grading["fail_grade"] = post["fail_grade"].strip()
    elif kind == "shares":
        grading["tiers"] = [
            {"grade": cells[0], "share": cells[1] if len(cells) > 1 else ""} for cells in _lines(post.get("shares", ""))
        ]
    veto: dict[str, Any] = {"mode": post.get("veto_mode", "none")}
    if (post.get("veto_per_item") or "").strip():
        veto["per_item"] = post["veto_per_item"].strip()
    options = []
    for cells in _lines(post.get("survey_options", "")):
        options.append({"label": cells[0], "points": (cells[1] if len(cells) > 1 and cells[1] else None)})
    rules = {
        "components": components,
        "grading": grading,
        "veto": veto,
        "tie_break": [k.strip() for k in (post.get("tie_break") or "").replace(",", ",").split(",") if k.strip()],
        "name_last_place": post.get("name_last_place") in ("on", "true", "1"),
        "joint_split": {"lead": (post.get("joint_lead") or "0.8").strip(), "co": (post.get("joint_co") or "0.2").strip()},
        "points": (post.get("points") or "").strip() or None,
        "survey_options": options,
    }
    echoed = {k: post.get(k, "") for k in ("grading_kind", "bands", "top_n", "top_grade", "default_grade",
                                           "fail_below", "fail_grade", "shares", "veto_mode", "veto_per_item",
                                           "tie_break", "joint_lead", "joint_co", "points", "survey_options")}
    echoed["name_last_place"] = rules["name_last_place"]
    echoed["components"] = echoed_components
    return rules, problems, echoed


def engine_rules(rules: dict[str, Any]) -> dict[str, Any]:
    """The rules minus what only this editor keeps (survey options), ``points`` dropped when empty."""
    out = {k: v for k, v in rules.items() if k != "survey_options"}
    if out.get("points") in (None, ""):
        out.pop("points", None)
    return out
