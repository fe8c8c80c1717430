"""Each scoring method's parameters as fields people can type, and back.

The browser's rule editor shows one input per parameter; the Excel sheet one cell holding the
same fields as lines (``扣分项: unfinished | 未完成重点任务 | 5``). Numbers stay strings, as the
scheme document has them; the engine checks the result (``evaluation.engine.methods``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from evaluation.engine.params import to_decimal
from indicators.selectors.scheme import dec_text

__all__ = ["ParamField", "SPECS", "params_from_fields", "params_to_fields", "params_to_text", "params_from_text"]

SEP = "|"


@dataclass(frozen=True)
class ParamField:
    """``kind``: ``num`` (a number), ``text``, ``bool``, ``choice``, ``list`` (one item per line:
    ``columns`` separated by ``|``) or ``map`` (lines ``key | value``)."""

    name: str
    label: Any
    kind: str
    columns: tuple[str, ...] = ()
    required: bool = True
    choices: tuple[tuple[str, Any], ...] = ()
    default: Any = None
    help: Any = ""

    # -- value → text ---------------------------------------------------------------------------
    def to_text(self, value: Any) -> str:
        if value is None:
            return ""
        if self.kind == "list":
            lines = []
            for item in value if isinstance(value, list) else []:
                if isinstance(item, Mapping):
                    lines.append(f" {SEP} ".join(_cell(item.get(c)) for c in self.columns))
            return "\n".join(lines)
        if self.kind == "map":
            if not isinstance(value, Mapping):
                return ""
            return "\n".join(f"{k} {SEP} {_cell(v)}" for k, v in value.items())
        if self.kind == "bool":
            return "是" if value else "否"
        return _cell(value)

    # -- text → value ---------------------------------------------------------------------------
    def parse(self, text: str) -> tuple[Any, list[str]]:
        """(value, problems); an empty optional field gives ``None`` (left out of the params)."""
        text = (text or "").strip()
        label = str(self.label)
        if not text:
            if self.required:
                return None, [f"“{label}”不能为空"]
            return None, []
        if self.kind == "num":
            if to_decimal(text) is None:
                return None, [f"“{label}”应为数字,而不是“{text}”"]
            return text, []
        if self.kind == "bool":
            if text.lower() in ("是", "true", "1", "yes", "on", "y"):
                return True, []
            if text.lower() in ("否", "false", "0", "no", "off", "n"):
                return False, []
            return None, [f"“{label}”应为“是”或“否”,而不是“{text}”"]
        if self.kind == "choice":
            keys = [c for c, _label in self.choices]
            if text not in keys:
                return None, [f"“{label}”应为 {' / '.join(keys)} 之一,而不是“{text}”"]
            return text, []
        if self.kind == "text":
            return text, []
        problems: list[str] = []
        if self.kind == "list":
            items = []
            for number, line in enumerate(text.splitlines(), start=1):
                if not line.strip():
                    continue
                cells = [c.strip() for c in line.split(SEP)]
                if len(cells) != len(self.columns):
                    problems.append(
                        f"“{label}”第 {number} 行应有 {len(self.columns)} 列(用 | 分隔:{' | '.join(self.columns)}),"
                        f"而不是 {len(cells)} 列"
                    )
                    continue
                items.append(dict(zip(self.columns, cells, strict=True)))
            return items, problems
        if self.kind == "map":
            mapping: dict[str, str] = {}
            for number, line in enumerate(text.splitlines(), start=1):
                if not line.strip():
                    continue
                cells = [c.strip() for c in line.split(SEP)]
                if len(cells) != 2:
                    problems.append(f"“{label}”第 {number} 行应写作“名次 | 分值”")
                    continue
                mapping[cells[0]] = cells[1]
            return mapping, problems
        raise ValueError(self.kind)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    number = to_decimal(value) if not isinstance(value, str) else None
    if number is not None:
        return dec_text(number) or ""
    return str(value)


def _priced(name: str, label: Any, value: str) -> ParamField:
    return ParamField(name, label, "list", columns=("key", "label", value),
                      help=_("每行一项:代码 | 名称 | 分值"))


_FLOOR = ParamField("floor", _("扣完为止(不低于0)"), "bool", required=False, default=True)

SPECS: dict[str, tuple[ParamField, ...]] = {
    "manual": (),
    "tiered": (ParamField("tiers", _("档次"), "list", columns=("code", "low_pct", "high_pct"),
                          help=_("每行一档:档次 | 下限% | 上限%")),),
    "deduct_per_occurrence": (_priced("kinds", _("扣分项"), "deduction"), _FLOOR),
    "deduct_by_grade": (_priced("grades", _("人员职级"), "deduction"), _FLOOR),
    "checklist": (_priced("items", _("清单项"), "deduction"),),
    "bonus_per_occurrence": (_priced("kinds", _("加分项"), "bonus"),
                             ParamField("cap", _("加分上限"), "num", required=False)),
    "level_bonus": (_priced("levels", _("级别"), "points"), ParamField("cap", _("加分上限"), "num", required=False)),
    "proportional": (ParamField("target", _("目标值"), "num"),),
    "shortfall_steps": (
        ParamField("target", _("目标值"), "num"),
        ParamField("step_pct", _("每档差欠(%)"), "num"),
        ParamField("step_deduction", _("每档扣分"), "num"),
        ParamField("partial", _("不足一档"), "choice", required=False,
                   choices=(("floor", _("不扣")), ("ceil", _("按一档扣"))), default="floor"),
    ),
    "threshold": (ParamField("threshold", _("达标线"), "num"),
                  ParamField("below", _("未达标得分"), "num", required=False)),
    "quantity_steps": (
        ParamField("base_at", _("起点数量"), "num"),
        ParamField("base_points", _("起点得分"), "num"),
        ParamField("step", _("每增加"), "num"),
        ParamField("step_points", _("每档加分"), "num"),
        ParamField("cap", _("最高得分"), "num", required=False),
    ),
    "rank_points": (ParamField("table", _("名次分值"), "map", help=_("每行:名次 | 分值")),
                    ParamField("default", _("其他名次得分"), "num", required=False)),
    "survey": (ParamField("source", _("测评来源代码"), "text", help=_("如 public")),),
}


def params_to_fields(method: str, params: Mapping[str, Any] | None) -> dict[str, str]:
    """Field name → text for the editor's inputs."""
    params = params or {}
    return {f.name: f.to_text(params.get(f.name)) for f in SPECS.get(method, ())}


def params_from_fields(method: str, fields: Mapping[str, str]) -> tuple[dict[str, Any], list[str]]:
    """Params of ``method`` from the editor's inputs, and the problems of reading them."""
    params: dict[str, Any] = {}
    problems: list[str] = []
    for spec in SPECS.get(method, ()):
        value, errors = spec.parse(fields.get(spec.name, ""))
        problems.extend(errors)
        if value is not None:
            params[spec.name] = value
    return params, problems


def params_to_text(method: str, params: Mapping[str, Any] | None) -> str:
    """All of a rule's params in one cell: ``label: value`` per line, a list item per line."""
    params = params or {}
    lines = []
    for spec in SPECS.get(method, ()):
        if params.get(spec.name) is None:
            continue
        text = spec.to_text(params.get(spec.name))
        for line in text.splitlines() or [""]:
            lines.append(f"{spec.label}: {line}")
    known = {s.name for s in SPECS.get(method, ())}
    for name in params:
        if name not in known:  # kept so nothing is lost; the engine will name it if it is wrong
            lines.append(f"{name}: {params[name]}")
    return "\n".join(lines)


def params_from_text(method: str, text: str) -> tuple[dict[str, Any], list[str]]:
    """Inverse of :func:`params_to_text`; unknown labels are reported."""
    specs = {str(s.label): s for s in SPECS.get(method, ())} | {s.name: s for s in SPECS.get(method, ())}
    collected: dict[str, list[str]] = {}
    problems: list[str] = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        head, colon, rest = line.partition(":")
        if not colon:
            head, colon, rest = line.partition(":")
        spec = specs.get(head.strip()) if colon else None
        if spec is None:
            problems.append(f"无法识别的参数行“{line.strip()}”(可用:{'、'.join(str(s.label) for s in SPECS.get(method, ())) or '无'})")
            continue
        collected.setdefault(spec.name, []).append(rest.strip())
    fields = {name: "\n".join(lines) for name, lines in collected.items()}
    params, more = params_from_fields(method, fields)
    return params, problems + more
