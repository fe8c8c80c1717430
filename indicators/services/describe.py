"""Plain-language descriptions of a scheme: a leaf's rule in one line, a category's formula and
grading as sentences (“−10 per missed quarter, not below 0”).

The engine computes; these only say in words what the engine will do with the same parameters,
so the office can read a rule before saving it. Parameters are read as the scheme document has
them (strings for numbers) or as the engine normalises them (Decimals).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from evaluation.engine.params import to_decimal

__all__ = ["describe_rule", "describe_pool", "describe_formula", "describe_grading", "describe_veto",
           "describe_category", "num"]


def num(value: Any) -> str:
    """A number as people write it: ``"30.00"`` → ``30``, ``"0.50"`` → ``0.5``; text passes through."""
    number = to_decimal(value) if not isinstance(value, Decimal) else value
    if number is None:
        return str(value) if value is not None else "?"
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _items(params: Mapping[str, Any], name: str, value: str, template: str) -> str:
    parts = []
    for item in params.get(name) or []:
        if not isinstance(item, Mapping):
            continue
        label = item.get("label") or item.get("key") or "?"
        parts.append(template.format(label=label, value=num(item.get(value))))
    return "、".join(parts) if parts else _("(未设置)")


def describe_rule(method: str, params: Mapping[str, Any] | None, points: Any = None) -> str:
    """One line saying what a leaf's scoring rule does."""
    p = params or {}
    pts = num(points) if points is not None else "?"
    if method == "manual":
        return _("考评组在 0–%(points)s 分之间评分") % {"points": pts}
    if method == "tiered":
        tiers = "、".join(
            _("%(code)s 档 %(low)s%%–%(high)s%%") % {"code": t.get("code"), "low": num(t.get("low_pct")),
                                                   "high": num(t.get("high_pct"))}
            for t in p.get("tiers") or [] if isinstance(t, Mapping)
        )
        return _("分档评分:%(tiers)s;档内“+”取上限、“0”取中值、“−”取下限") % {"tiers": tiers or _("(未设置)")}
    if method in ("deduct_per_occurrence", "deduct_by_grade"):
        name = "kinds" if method == "deduct_per_occurrence" else "grades"
        unit = _("每次") if method == "deduct_per_occurrence" else _("每人次")
        terms = _items(p, name, "deduction", "{label}" + unit + "−{value}")
        floor = p.get("floor", True)
        tail = _("扣完本项分值为止,不低于 0") if floor is not False else _("可扣至负分")
        return _("%(terms)s;%(tail)s") % {"terms": terms, "tail": tail}
    if method == "checklist":
        return _("缺项扣分:%(items)s;每项只扣一次,不低于 0") % {"items": _items(p, "items", "deduction", "{label} −{value}")}
    if method == "bonus_per_occurrence":
        cap = num(p["cap"]) if p.get("cap") not in (None, "") else pts
        return _("%(terms)s;累计不超过 %(cap)s 分") % {
            "terms": _items(p, "kinds", "bonus", "{label}每次 +{value}"), "cap": cap}
    if method == "level_bonus":
        cap = num(p["cap"]) if p.get("cap") not in (None, "") else pts
        return _("%(terms)s;同一项工作按最高一级计分,累计不超过 %(cap)s 分") % {
            "terms": _items(p, "levels", "points", "{label} +{value}"), "cap": cap}
    if method == "proportional":
        return _("按完成比例得分:%(points)s × 实际 / %(target)s,完成目标得满分") % {
            "points": pts, "target": num(p.get("target"))}
    if method == "shortfall_steps":
        partial = _("不足一档按一档扣") if p.get("partial") == "ceil" else _("不足一档不扣")
        return _("目标 %(target)s,每差欠 %(step)s%% 扣 %(ded)s 分(%(partial)s),不低于 0") % {
            "target": num(p.get("target")), "step": num(p.get("step_pct")), "ded": num(p.get("step_deduction")),
            "partial": partial}
    if method == "threshold":
        return _("达到 %(threshold)s 得 %(points)s 分,未达到得 %(below)s 分") % {
            "threshold": num(p.get("threshold")), "points": pts, "below": num(p.get("below", "0"))}
    if method == "quantity_steps":
        cap = num(p["cap"]) if p.get("cap") not in (None, "") else pts
        return _("达到 %(base_at)s 得 %(base)s 分,此后每增加 %(step)s 加 %(sp)s 分,最高 %(cap)s 分") % {
            "base_at": num(p.get("base_at")), "base": num(p.get("base_points")), "step": num(p.get("step")),
            "sp": num(p.get("step_points")), "cap": cap}
    if method == "rank_points":
        table = p.get("table") or {}
        places = sorted((k for k in table if str(k).isdigit()), key=int)
        terms = "、".join(_("第%(place)s名 %(value)s 分") % {"place": k, "value": num(table[k])} for k in places)
        return _("%(terms)s;其他名次 %(default)s 分") % {"terms": terms or _("(未设置)"),
                                                      "default": num(p.get("default", "0"))}
    if method == "survey":
        return _("按“%(source)s”测评得分折算:%(points)s × 得分 / 100") % {"source": p.get("source") or "?", "points": pts}
    return _("未知的计分方法“%(method)s”") % {"method": method}


def describe_pool(kind: str, *, overflow: bool = False, cap: Any = None, points: Any = None) -> str:
    if kind == "deduction":
        if overflow:
            return _("扣分池 %(points)s 分:扣分超过本项分值的,超出部分从单位总分中扣除") % {"points": num(points)}
        return _("扣分池 %(points)s 分:扣完本项分值为止") % {"points": num(points)}
    if kind == "bonus":
        return _("加分池:各项加分累计不超过 %(cap)s 分,不计入上级分值") % {"cap": num(cap)}
    return ""


def _group_text(params: Mapping[str, Any]) -> str:
    for name, template in (("group_budgets", _("%(group)s %(value)s 分")), ("group_weights", _("%(group)s 权重 %(value)s"))):
        groups = params.get(name)
        if isinstance(groups, Mapping) and groups:
            return "、".join(template % {"group": g, "value": num(v)} for g, v in groups.items())
    return ""


def _term(component: Mapping[str, Any]) -> tuple[str, str]:
    """(sign, text) of one formula term."""
    label = component.get("label") or component.get("key") or "?"
    mode = component.get("mode")
    source = str(component.get("source") or "")
    if mode == "weight":
        return "+", _("%(label)s × %(weight)s") % {"label": label, "weight": num(component.get("weight"))}
    if mode == "budget":
        return "+", _("%(label)s得分 / 100 × %(budget)s") % {"label": label, "budget": num(component.get("budget"))}
    if mode == "points":
        groups = _group_text(component.get("params") or {})
        if groups:
            return "+", _("%(label)s(%(groups)s)") % {"label": label, "groups": groups}
        return "+", str(label)
    if mode == "deduction":
        per_item = component.get("per_item")
        cap = component.get("cap")
        if source in ("vetoes", "special_last") and per_item not in (None, ""):
            text = _("%(label)s每项 %(per)s 分") % {"label": label, "per": num(per_item)}
        else:
            text = _("%(label)s扣分") % {"label": label}
        if cap not in (None, ""):
            text += _("(最高扣 %(cap)s 分)") % {"cap": num(cap)}
        return "−", text
    return "+", str(label)


def describe_formula(components: Sequence[Mapping[str, Any]]) -> str:
    """The formula as one sentence: “总分 = 指标考核 × 0.5 + 公众评议 × 0.5 − 察访核验扣分(最高扣 5 分)”."""
    if not components:
        return _("尚未设置汇总公式")
    parts = []
    for index, component in enumerate(components):
        if not isinstance(component, Mapping):
            continue
        sign, text = _term(component)
        if index == 0:
            parts.append(text if sign == "+" else f"− {text}")
        else:
            parts.append(f"{sign} {text}")
    return _("总分 = %(terms)s") % {"terms": " ".join(parts)}


def describe_grading(grading: Mapping[str, Any] | None) -> str:
    if not grading:
        return _("尚未设置等次")
    kind = grading.get("kind")
    if kind == "bands":
        bands = [b for b in grading.get("bands") or [] if isinstance(b, Mapping)]
        parts = [
            _("%(grade)s ≥ %(min)s 分") % {"grade": b.get("grade"), "min": num(b.get("min"))}
            for b in bands if b.get("min") not in (None, "")
        ]
        rest = [b.get("grade") for b in bands if b.get("min") in (None, "")]
        text = _("按分数段评定等次:%(parts)s") % {"parts": "、".join(parts)}
        if rest:
            text += _(",其余为%(grade)s") % {"grade": rest[0]}
        return text
    if kind == "top_n":
        text = _("按名次评定:前 %(n)s 名为%(top)s,其余为%(default)s") % {
            "n": grading.get("n"), "top": grading.get("top_grade"), "default": grading.get("default_grade")}
        if grading.get("fail_below") not in (None, ""):
            text += _(";总分低于 %(fail)s 分的为%(grade)s") % {"fail": num(grading.get("fail_below")),
                                                          "grade": grading.get("fail_grade")}
        return text
    if kind == "shares":
        parts = []
        for tier in grading.get("tiers") or []:
            share = to_decimal(tier.get("share")) if isinstance(tier, Mapping) else None
            pct = num(share * 100) if share is not None else "?"
            parts.append(_("%(grade)s %(pct)s%%") % {"grade": tier.get("grade"), "pct": pct})
        return _("按本类别单位数的比例评定等次(按名次从高到低):%(parts)s") % {"parts": "、".join(parts)}
    return _("未知的等次方式")


def describe_veto(veto: Mapping[str, Any] | None, top_grade: str | None = None) -> str:
    mode = (veto or {}).get("mode", "none")
    if mode == "ineligible":
        return _("被一票否决的单位保留得分和名次,但不得评为最高等次%(grade)s") % {
            "grade": f"({top_grade})" if top_grade else ""}
    if mode == "deduction":
        per = (veto or {}).get("per_item")
        if per not in (None, ""):
            return _("每项一票否决扣 %(per)s 分") % {"per": num(per)}
        return _("一票否决按公式中的扣分项扣分")
    return _("一票否决只记录,不影响得分和等次")


def _top_grade(grading: Mapping[str, Any] | None) -> str | None:
    if not grading:
        return None
    if grading.get("kind") == "bands" and grading.get("bands"):
        return grading["bands"][0].get("grade")
    if grading.get("kind") == "top_n":
        return grading.get("top_grade")
    if grading.get("kind") == "shares" and grading.get("tiers"):
        return grading["tiers"][0].get("grade")
    return None


def describe_category(entry: Mapping[str, Any]) -> list[str]:
    """Every sentence of a category's rules (the engine dict's shape), in reading order."""
    grading = entry.get("grading")
    lines = [describe_formula(entry.get("components") or []), describe_grading(grading),
             describe_veto(entry.get("veto"), _top_grade(grading))]
    ties = entry.get("tie_break") or []
    labels = {c.get("key"): c.get("label") for c in entry.get("components") or [] if isinstance(c, Mapping)}
    if ties:
        lines.append(_("总分相同时依次比较:%(keys)s") % {"keys": "、".join(labels.get(k, k) for k in ties)})
    else:
        lines.append(_("总分相同的单位名次并列"))
    if entry.get("name_last_place", True):
        lines.append(_("通报本类别末位单位"))
    return lines
