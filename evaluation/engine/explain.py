"""Explanations (计分说明): every number the engine produces says how it was made.

An explanation is stored structured — a template id plus parameters — and rendered on demand
in Chinese or English from the small message catalogue below. Keeping it structured means
the engine never pays for string formatting it does not need (a campaign has hundreds of
thousands of nodes), services can save ``to_dict()`` as JSON, and a score card can be
re-rendered later in either language.

``str(explanation)`` is the Chinese text, the language of the bulletin (通报).

Parameters may be Decimals, ints, strings, nested explanations, or lists of those. A list is
joined with the separator the template names for that parameter (``" − "`` between the terms
of a deduction, ``"、"`` between ledger ids…). ``None`` renders as an empty string, which is how
optional clauses (a floor note, an exemption note) are left out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

__all__ = ["Explanation", "CATALOGUE", "fmt_decimal", "LANGUAGES"]

LANGUAGES = ("zh", "en")
_EMPTY: Mapping[str, Any] = {}


def fmt_decimal(value: Decimal) -> str:
    """Decimal as written: ``Decimal("27.00")`` → ``27.00``, ``Decimal("30")`` → ``30``.

    Scores are quantized to cents before they reach an explanation, so they print with two
    decimals; scheme parameters print the way the scheme wrote them. ``format(…, "f")`` keeps
    exponents (``1E+1``) out of the text.
    """
    text = format(value, "f")
    return text.replace("-", "−") if text.startswith("-") else text


class Explanation:
    """A template id and its parameters; ``text(lang)`` renders it, ``str()`` is Chinese.

    ``params`` may be given as a zero-argument callable returning the mapping, and a whole
    explanation may be :meth:`deferred`: the engine uses both so that nothing is built for an
    explanation until someone reads it (a campaign has hundreds of thousands of numbers).
    """

    __slots__ = ("_template", "_params", "_pair")

    def __init__(self, template: str, params: Mapping[str, Any] | Callable[[], Mapping[str, Any]] | None = None) -> None:
        self._template = template
        self._params = params if params is not None else _EMPTY
        self._pair = None

    @classmethod
    def deferred(cls, build: Callable[[], Explanation]) -> Explanation:
        """An explanation made by ``build()`` the first time it is looked at."""
        explanation = cls.__new__(cls)
        explanation._template = None
        explanation._params = build
        explanation._pair = None
        return explanation

    def _resolve(self) -> None:
        if self._template is None:
            built = self._params()
            self._template, self._params = built.template, built.params
        elif callable(self._params):
            self._params = self._params()

    @property
    def template(self) -> str:
        if self._template is None:
            self._resolve()
        return self._template

    @property
    def params(self) -> Mapping[str, Any]:
        if self._template is None or callable(self._params):
            self._resolve()
        return self._params

    def text(self, lang: str = "zh") -> str:
        if lang not in LANGUAGES:
            raise ValueError(f"unknown language {lang!r}; the catalogue has {LANGUAGES}")
        return _render(self, lang)

    def texts(self) -> tuple[str, str]:
        """``(text("zh"), text("en"))`` in one pass: parameters resolved and numbers formatted once.

        The pair is kept on the explanation (its parameters do not change once built), so an
        explanation nested in several others is rendered once.
        """
        pair = self._pair
        if pair is None:
            pair = self._pair = _render_pair(self)
        return pair

    def __str__(self) -> str:
        return _render(self, "zh")

    def __repr__(self) -> str:
        return f"Explanation({self.template!r}, {dict(self.params)!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Explanation):
            return NotImplemented
        return self.template == other.template and dict(self.params) == dict(other.params)

    def __hash__(self) -> int:
        return hash(self.template)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form (Decimals as strings) for services to store next to a score."""
        return {"template": self.template, "params": {k: _to_json(v) for k, v in self.params.items()}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Explanation:
        """Inverse of :meth:`to_dict`. Decimal strings come back as strings, which render the same."""
        return cls(data["template"], {k: _from_json(v) for k, v in data["params"].items()})


def _to_json(value: Any) -> Any:
    kind = type(value)
    if kind is str or kind is int or value is None:
        return value
    if kind is Decimal:
        return {"$decimal": str(value)}
    if isinstance(value, Explanation):
        return {"$explanation": value.to_dict()}
    if kind is list or kind is tuple:
        return [_to_json(v) for v in value]
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    return value


def _from_json(value: Any) -> Any:
    if isinstance(value, dict):
        if "$explanation" in value:
            return Explanation.from_dict(value["$explanation"])
        if "$decimal" in value:
            return Decimal(value["$decimal"])
    if isinstance(value, list):
        return [_from_json(v) for v in value]
    return value


def _render(expl: Explanation, lang: str) -> str:
    entry = CATALOGUE.get(expl.template)
    if entry is None:
        # An unknown template must still say something useful rather than fail a bulletin.
        return f"{expl.template} {dict(expl.params)}"
    joins = entry.get("join", {})
    rendered = {}
    for key, value in expl.params.items():
        rendered[key] = _render_value(value, lang, joins.get(key))
    return entry[lang].format(**rendered)


def _render_value(value: Any, lang: str, join: Mapping[str, str] | None) -> str:
    if value is None:
        return ""
    if isinstance(value, Explanation):
        return _render(value, lang)
    if isinstance(value, Decimal):
        return fmt_decimal(value)
    if isinstance(value, list | tuple):
        sep = join[lang] if join else _DEFAULT_JOIN[lang]
        return sep.join(_render_value(v, lang, None) for v in value)
    return str(value)


def _render_pair(expl: Explanation) -> tuple[str, str]:
    """Both languages of :func:`_render` at once, byte for byte the same texts."""
    if expl._template is None or callable(expl._params):
        expl._resolve()
    template = expl._template
    entry = CATALOGUE.get(template)
    if entry is None:
        text = f"{template} {dict(expl._params)}"
        return text, text
    joins = entry.get("join")
    zh: dict[str, str] = {}
    en: dict[str, str] = {}
    same = True  # every parameter reads the same in both languages
    for key, value in expl._params.items():
        kind = type(value)
        if kind is str:
            zh[key] = en[key] = value
        elif kind is Decimal:
            text = format(value, "f")
            zh[key] = en[key] = text.replace("-", "−") if text[0] == "-" else text
        elif kind is list or kind is tuple or isinstance(value, list | tuple):
            join = joins.get(key) if joins else None
            sep_zh, sep_en = (join["zh"], join["en"]) if join else _DEFAULT_PAIR
            parts = [_value_pair(v) for v in value]
            zh[key] = a = sep_zh.join([p[0] for p in parts])
            en[key] = b = sep_en.join([p[1] for p in parts])
            if same and a != b:
                same = False
        else:
            zh[key], en[key] = a, b = _value_pair(value)
            if same and a != b:
                same = False
    zh_format, en_format = entry["zh"], entry["en"]
    if same and zh_format == en_format:
        text = zh_format.format(**zh)
        return text, text
    return zh_format.format(**zh), en_format.format(**en)


def _value_pair(value: Any) -> tuple[str, str]:
    """:func:`_render_value` in both languages, for a value outside a joined list's own join."""
    kind = type(value)
    if kind is str:
        return value, value
    if kind is Decimal:
        text = fmt_decimal(value)
        return text, text
    if value is None:
        return "", ""
    if isinstance(value, Explanation):
        return value.texts()
    if isinstance(value, Decimal):
        text = fmt_decimal(value)
        return text, text
    if isinstance(value, list | tuple):
        parts = [_value_pair(v) for v in value]
        return _DEFAULT_JOIN["zh"].join([p[0] for p in parts]), _DEFAULT_JOIN["en"].join([p[1] for p in parts])
    text = str(value)
    return text, text


_DEFAULT_JOIN = {"zh": "、", "en": ", "}
_DEFAULT_PAIR = (_DEFAULT_JOIN["zh"], _DEFAULT_JOIN["en"])
_MINUS = {"zh": " − ", "en": " − "}
_PLUS = {"zh": " + ", "en": " + "}
_SEMI = {"zh": ";", "en": "; "}
_IDS = {"zh": "、", "en": ", "}

# The message catalogue. Keys are stable ids (they are stored with saved explanations).
# Node and label names come from the scheme, so they appear as written there in both languages.
CATALOGUE: dict[str, dict[str, Any]] = {
    # --- words -------------------------------------------------------------------------------
    "word.self_reported": {"zh": "主动报告", "en": "self-reported"},
    "word.self_corrected": {"zh": "自查自纠", "en": "self-corrected"},
    "word.lead": {"zh": "主办", "en": "lead"},
    "word.co": {"zh": "联办", "en": "co-unit"},
    "word.assessed": {"zh": "评定", "en": "assessed"},
    "kind.deduction": {"zh": "扣分", "en": "deduction"},
    "kind.bonus": {"zh": "加分", "en": "bonus"},
    "ref.ledger": {"zh": "台帐 {ids}", "en": "ledger {ids}", "join": {"ids": _IDS}},
    "ref.id": {"zh": "#{id}", "en": "#{id}"},
    # --- leaves ------------------------------------------------------------------------------
    "leaf.manual": {
        "zh": "{code} {name} {score}:评分 {score}(满分 {points})",
        "en": "{code} {name} {score}: assessed {score} (of {points})",
    },
    "leaf.tiered": {
        "zh": "{code} {name} {score} = {points} × {pct}%({tier} 档 {adj}:{low}%–{high}%)",
        "en": "{code} {name} {score} = {points} × {pct}% (tier {tier}, {adj}: {low}%–{high}%)",
    },
    "adj.+": {"zh": "上段,取上限", "en": "“+”, the upper bound"},
    "adj.0": {"zh": "中段,取中值", "en": "“0”, the midpoint"},
    "adj.-": {"zh": "下段,取下限", "en": "“−”, the lower bound"},
    "leaf.deduct": {
        "zh": "{code} {name} {score} = {points} − {terms}{floor}{notes}",
        "en": "{code} {name} {score} = {points} − {terms}{floor}{notes}",
        "join": {"terms": _MINUS, "notes": {"zh": "", "en": ""}},
    },
    "leaf.deduct_none": {
        "zh": "{code} {name} {score}:无扣分{notes}",
        "en": "{code} {name} {score}: no deductions{notes}",
        "join": {"notes": {"zh": "", "en": ""}},
    },
    "leaf.bonus": {
        "zh": "{code} {name} {score} = {terms}{cap}{notes}",
        "en": "{code} {name} {score} = {terms}{cap}{notes}",
        "join": {"terms": _PLUS, "notes": {"zh": "", "en": ""}},
    },
    "leaf.bonus_none": {
        "zh": "{code} {name} {score}:无加分{notes}",
        "en": "{code} {name} {score}: no bonus{notes}",
        "join": {"notes": {"zh": "", "en": ""}},
    },
    "term.priced": {
        "zh": "{price} × {qty}({label},{ref})",
        "en": "{price} × {qty} {label} ({ref})",
    },
    "term.priced_share": {
        "zh": "{price} × {qty} × {share}({label},{role},{ref})",
        "en": "{price} × {qty} × {share} {label} ({role}, {ref})",
    },
    "term.item": {"zh": "{price}({label},{ref})", "en": "{price} {label} ({ref})"},
    "note.floor": {
        "zh":"(扣完本项分值为止,原应 {raw})",
        "en": " (stops at 0 — “扣完本项分值为止”; would be {raw})",
    },
    "note.cap": {"zh": ",封顶 {cap}(合计 {raw})", "en": ", capped at {cap} (sum {raw})"},
    "note.exempt": {
        "zh": ";免予扣分:{label} {qty}({why},{ref})",
        "en": "; exempt: {qty} {label} ({why}, {ref})",
    },
    "note.superseded": {
        "zh": ";同一事项就高计一次:{ref} 不重复计分(事项 {event})",
        "en": "; same event {event} counted once at its highest: {ref} not counted again",
    },
    "leaf.proportional": {
        "zh": "{code} {name} {score} = {points} × {actual} / {target}",
        "en": "{code} {name} {score} = {points} × {actual} / {target}",
    },
    "leaf.proportional_full": {
        "zh": "{code} {name} {score}:完成 {actual},达到目标 {target},得满分",
        "en": "{code} {name} {score}: {actual} reaches the target {target}, full points",
    },
    "leaf.shortfall": {
        "zh": "{code} {name} {score} = {points} − {steps} × {step_deduction}"
        "(完成 {actual} / 目标 {target},差欠 {shortfall}%,每差欠 {step_pct}% 扣 {step_deduction} 分){floor}",
        "en": "{code} {name} {score} = {points} − {steps} × {step_deduction} "
        "({actual} of target {target}, {shortfall}% short, {step_deduction} per {step_pct}% short){floor}",
    },
    "leaf.shortfall_met": {
        "zh": "{code} {name} {score}:完成 {actual},达到目标 {target},不扣分",
        "en": "{code} {name} {score}: {actual} meets the target {target}, no deduction",
    },
    "leaf.threshold_met": {
        "zh": "{code} {name} {score}:{actual} ≥ {threshold},得满分",
        "en": "{code} {name} {score}: {actual} ≥ {threshold}, full points",
    },
    "leaf.threshold_missed": {
        "zh": "{code} {name} {score}:{actual} 未达到 {threshold},计 {below}",
        "en": "{code} {name} {score}: {actual} is below {threshold}, scores {below}",
    },
    "leaf.quantity_below": {
        "zh": "{code} {name} {score}:{actual} 未达到起点 {base_at}",
        "en": "{code} {name} {score}: {actual} is below the starting point {base_at}",
    },
    "leaf.quantity": {
        "zh": "{code} {name} {score} = {base_points} + {steps} × {step_points}"
        "({actual}:达到 {base_at} 得 {base_points},每增加 {step} 得 {step_points}){cap}",
        "en": "{code} {name} {score} = {base_points} + {steps} × {step_points} "
        "({actual}: {base_points} at {base_at}, {step_points} per further {step}){cap}",
    },
    "leaf.rank": {
        "zh": "{code} {name} {score}:专项评比第 {place} 名,得 {value}",
        "en": "{code} {name} {score}: place {place} in the special evaluation scores {value}",
    },
    "leaf.survey": {
        "zh": "{code} {name} {score} = {points} × {survey} / 100({source})",
        "en": "{code} {name} {score} = {points} × {survey} / 100 (survey {source})",
    },
    "leaf.checklist_none": {
        "zh": "{code} {name} {score}:各项齐全,无扣分",
        "en": "{code} {name} {score}: every item in place, no deductions",
    },
    # --- inner nodes and pools -----------------------------------------------------------------
    "node.sum": {
        "zh": "{code} {name} {score} = {parts}",
        "en": "{code} {name} {score} = {parts}",
        "join": {"parts": _PLUS},
    },
    "node.incomplete": {"zh": "{code} {name}:下级指标数据不全,暂不计分", "en": "{code} {name}: not scored, an item below it is incomplete"},
    "node.empty": {"zh": "{code} {name} {score}:本单位无下级指标", "en": "{code} {name} {score}: no items for this unit"},
    "pool.bonus": {
        "zh": "{code} {name} {score} = {parts}{cap}",
        "en": "{code} {name} {score} = {parts}{cap}",
        "join": {"parts": _PLUS},
    },
    "pool.deduction": {
        "zh": "{code} {name} {score} = {points} − {deductions}",
        "en": "{code} {name} {score} = {points} − {deductions}",
        "join": {"deductions": _MINUS},
    },
    "pool.deduction_floor": {
        "zh": "{code} {name} {score}:{points} − {raw} 扣分,扣完本项分值为止",
        "en": "{code} {name} {score}: {points} − {raw} in deductions stops at 0 (“扣完本项分值为止”)",
    },
    "pool.deduction_overflow": {
        "zh": "{code} {name} {score}:{points} − {raw} 扣分,超出的 {overflow} 分在总得分中扣除",
        "en": "{code} {name} {score}: {points} − {raw} in deductions; the {overflow} over is taken off the total",
    },
    "pool.part": {"zh": "{value}({code})", "en": "{value} ({code})"},
    # --- survey / democratic -------------------------------------------------------------------
    "survey.tally": {
        "zh": "{label} {score} = ({terms}) / {answered}(有效票 {answered},不了解 {dont_know} 票不计)",
        "en": "{label} {score} = ({terms}) / {answered} ({answered} answered; {dont_know} “don't know” left out)",
        "join": {"terms": _PLUS},
    },
    "survey.precomputed": {
        "zh": "{label} {score}(调查汇总得分{n})",
        "en": "{label} {score} (score supplied by the survey{n})",
    },
    "survey.n": {"zh": ",样本 {n}", "en": ", n = {n}"},
    "term.votes": {"zh": "{count}×{points}", "en": "{count}×{points}"},
    "demo.group": {
        "zh": "{group}:已知票平均 ({terms}) / {known} = {avg};{unknown} 张“不了解”票按 {avg} 计,"
        "{total_points} / {ballots} = {avg};{avg} / {top} × 100 = {score}",
        "en": "{group}: known votes average ({terms}) / {known} = {avg}; {unknown} “don't know” votes count "
        "{avg} each, {total_points} / {ballots} = {avg}; {avg} / {top} × 100 = {score}",
        "join": {"terms": _PLUS},
    },
    "demo.group_nounknown": {
        "zh": "{group}:({terms}) / {known} = {avg};{avg} / {top} × 100 = {score}",
        "en": "{group}: ({terms}) / {known} = {avg}; {avg} / {top} × 100 = {score}",
        "join": {"terms": _PLUS},
    },
    "demo.single": {"zh": "{label} {score}:{group}", "en": "{label} {score}: {group}"},
    "demo.weighted": {
        "zh": "{label} {score} = ({terms}) / {weight_sum};{groups}",
        "en": "{label} {score} = ({terms}) / {weight_sum}; {groups}",
        "join": {"terms": _PLUS, "groups": _SEMI},
    },
    "demo.budgets": {
        "zh": "{label} {score} = {terms};{groups}",
        "en": "{label} {score} = {terms}; {groups}",
        "join": {"terms": _PLUS, "groups": _SEMI},
    },
    "term.weighted": {"zh": "{score}×{weight}", "en": "{score}×{weight}"},
    "term.budget": {"zh": "{score}/100×{budget}({group})", "en": "{score}/100×{budget} ({group})"},
    # --- components and totals ------------------------------------------------------------------
    "comp.weight": {"zh": "{label} {value} = {raw} × {weight}", "en": "{label} {value} = {raw} × {weight}"},
    "comp.budget": {
        "zh": "{label} {value} = {raw} / 100 × {budget}",
        "en": "{label} {value} = {raw} / 100 × {budget}",
    },
    "comp.detail": {"zh": "{head};{detail}", "en": "{head}; {detail}"},
    "comp.points": {"zh": "{label} {value}", "en": "{label} {value}"},
    "comp.deduction": {
        "zh": "{label} −{taken} = {items}{cap}",
        "en": "{label} −{taken} = {items}{cap}",
        "join": {"items": _PLUS},
    },
    "comp.deduction_none": {"zh": "{label} 0:无扣分", "en": "{label} 0: no deductions"},
    "comp.missing": {"zh": "{label}:缺少数据", "en": "{label}: no data"},
    "term.inspection": {"zh": "{points}({label} #{id})", "en": "{points} ({label} #{id})"},
    "term.veto": {"zh": "{per_item}({authority}一票否决)", "en": "{per_item} (veto by {authority})"},
    "term.special_last": {
        "zh": "{count} × {per_item}(位列专项考评后 5 名 {count} 项)",
        "en": "{count} × {per_item} (in the last five of {count} special evaluations)",
    },
    "note.cap_deduction": {"zh": ",最高扣 {cap} 分", "en": ", capped at {cap}"},
    "total": {
        "zh": "总分 {total} = {terms}",
        "en": "total {total} = {terms}",
        "join": {"terms": {"zh": "", "en": ""}},
    },
    "total.first": {"zh": "{value}({label})", "en": "{value} ({label})"},
    "total.plus": {"zh": " + {value}({label})", "en": " + {value} ({label})"},
    "total.minus": {"zh": " − {value}({label})", "en": " − {value} ({label})"},
    "total.overflow": {
        "zh": " − {value}({code} {name} 超出扣分)",
        "en": " − {value} (overflow of {code} {name})",
    },
    "total.incomplete": {"zh": "数据不全,暂不计总分:{missing}", "en": "incomplete, no total yet: {missing}",
                         "join": {"missing": _SEMI}},
    # --- ranks and grades ------------------------------------------------------------------------
    "rank.plain": {"zh": "第 {rank} 名(共 {of} 个单位)", "en": "rank {rank} of {of}"},
    "rank.shared": {
        "zh": "并列第 {rank} 名(共 {of} 个单位,与 {with_} 同分)",
        "en": "rank {rank} of {of}, shared with {with_} (equal totals)",
    },
    "rank.tiebreak": {
        "zh": "第 {rank} 名(共 {of} 个单位;与 {with_} 总分相同,按 {keys} 排序)",
        "en": "rank {rank} of {of} (total equal to {with_}; ordered by {keys})",
    },
    "rank.none": {"zh": "不排名:数据不全", "en": "not ranked: incomplete"},
    "grade.band": {"zh": "等次 {grade}:{total} ≥ {min}", "en": "grade {grade}: {total} ≥ {min}"},
    "grade.band_floor": {"zh": "等次 {grade}:{total} 低于 {next_min}", "en": "grade {grade}: {total} is below {next_min}"},
    "grade.band_veto": {
        "zh": "等次 {grade}:{total} ≥ {min},但被{authorities}一票否决,不能评为{top}",
        "en": "grade {grade}: {total} ≥ {min} but vetoed by {authorities}, not eligible for {top}",
    },
    "grade.top_n": {
        "zh": "等次 {grade}:可评优单位中第 {place} 位,前 {n} 名为{grade}",
        "en": "grade {grade}: place {place} among eligible units; the top {n} are {grade}",
    },
    "grade.top_n_veto": {
        "zh": "等次 {grade}:第 {rank} 名,但被{authorities}一票否决,不能评为{top},由下一名递补",
        "en": "grade {grade}: rank {rank} but vetoed by {authorities}, not eligible for {top}; the next unit moves up",
    },
    "grade.top_n_default": {
        "zh": "等次 {grade}:未进入前 {n} 名",
        "en": "grade {grade}: not in the top {n}",
    },
    "grade.fail": {
        "zh": "等次 {grade}:{total} 低于 {fail_below} 分",
        "en": "grade {grade}: {total} is below {fail_below}",
    },
    "grade.share": {
        "zh": "等次 {grade}:按名次第 {position} 位,{grade}为第 {first}–{last} 位({share} × {of} 个单位)",
        "en": "grade {grade}: position {position}; {grade} covers positions {first}–{last} ({share} of {of} units)",
    },
    "grade.share_tie": {
        "zh": "等次 {grade}:与 {with_} 并列,同一等次",
        "en": "grade {grade}: tied with {with_}, same grade",
    },
    "grade.share_veto": {
        "zh": "等次 {grade}:被{authorities}一票否决,不能评为{top};按名次第 {position} 位",
        "en": "grade {grade}: vetoed by {authorities}, not eligible for {top}; position {position}",
    },
    "grade.band_unsigned": {
        "zh": "等次 {grade}:{total} ≥ {min},但尚未获{authorities}签署同意,不能评为{top}",
        "en": "grade {grade}: {total} ≥ {min} but not yet signed off by {authorities}, not eligible for {top}",
    },
    "grade.top_n_unsigned": {
        "zh": "等次 {grade}:第 {rank} 名,但尚未获{authorities}签署同意,不能评为{top},由下一名递补",
        "en": "grade {grade}: rank {rank} but not yet signed off by {authorities}, not eligible for {top}; the next unit moves up",
    },
    "grade.share_unsigned": {
        "zh": "等次 {grade}:尚未获{authorities}签署同意,不能评为{top};按名次第 {position} 位",
        "en": "grade {grade}: not yet signed off by {authorities}, not eligible for {top}; position {position}",
    },
    "grade.none": {"zh": "不评定等次:数据不全", "en": "no grade: incomplete"},
    "last_place": {"zh": "本类别末位", "en": "last place in the category"},
    # --- input problems (make a unit incomplete) --------------------------------------------------
    "missing.assessed": {"zh": "{code} {name}:缺少评分", "en": "{code} {name}: no assessed score"},
    "missing.tier": {"zh": "{code} {name}:缺少档次评定", "en": "{code} {name}: no tier picked"},
    "missing.measure": {"zh": "{code} {name}:缺少实绩数据", "en": "{code} {name}: no measured value"},
    "missing.survey": {"zh": "{where}:缺少调查“{source}”的得分", "en": "{where}: no score from survey “{source}”"},
    "missing.survey_empty": {
        "zh": "{where}:调查“{source}”没有有效票",
        "en": "{where}: survey “{source}” has no answered ballot",
    },
    "missing.democratic": {"zh": "{where}:缺少民主测评“{source}”", "en": "{where}: no democratic evaluation “{source}”"},
    "missing.democratic_group": {
        "zh": "{where}:民主测评“{source}”的“{group}”组没有已知票",
        "en": "{where}: group “{group}” of democratic evaluation “{source}” has no known vote",
    },
    "missing.direct": {"zh": "{where}:缺少直接录入的得分“{source}”", "en": "{where}: no directly entered score “{source}”"},
    "missing.refined": {
        "zh": "{code} {name}:本单位没有细化指标(共享指标 {shared} 分,应为 {points} 分)",
        "en": "{code} {name}: this unit has no refined targets (shared items {shared} of {points} points)",
    },
    "bad.assessed_range": {
        "zh": "{code} {name}:评分 {value} 超出 0–{points}",
        "en": "{code} {name}: assessed score {value} is outside 0..{points}",
    },
    "bad.assessed_type": {"zh": "{code} {name}:评分格式不对({value})", "en": "{code} {name}: unusable assessed value {value}"},
    "bad.tier": {"zh": "{code} {name}:没有“{tier}”档", "en": "{code} {name}: there is no tier “{tier}”"},
    "bad.adjustment": {
        "zh": "{code} {name}:档内分段应为 +、0 或 −,而不是“{adj}”",
        "en": "{code} {name}: adjustment must be +, 0 or −, not “{adj}”",
    },
    "bad.measure_type": {"zh": "{code} {name}:实绩数据格式不对({value})", "en": "{code} {name}: unusable measured value {value}"},
    "bad.measure_negative": {"zh": "{code} {name}:实绩数据为负数({value})", "en": "{code} {name}: negative measured value {value}"},
    "bad.checklist_item": {
        "zh": "{code} {name}:清单中没有“{item}”项",
        "en": "{code} {name}: the checklist has no item “{item}”",
    },
    "bad.ledger_leaf": {
        "zh": "台帐 #{id}:指标 {leaf} 不在本单位的指标体系中",
        "en": "ledger #{id}: indicator {leaf} is not in this unit's tree",
    },
    "bad.ledger_method": {
        "zh": "台帐 #{id}:指标 {leaf} 不按台帐计分",
        "en": "ledger #{id}: indicator {leaf} is not scored from the ledger",
    },
    "bad.ledger_kind": {
        "zh": "台帐 #{id}:指标 {leaf} 只接受{expected}记录,而不是{kind}",
        "en": "ledger #{id}: indicator {leaf} takes {expected} entries, not {kind}",
    },
    "bad.ledger_rule": {
        "zh": "台帐 #{id}:指标 {leaf} 没有“{rule}”这一计分标准",
        "en": "ledger #{id}: indicator {leaf} has no rule “{rule}”",
    },
    "bad.ledger_unit": {
        "zh": "台帐 #{id}:记录属于单位 {other},不属于本单位",
        "en": "ledger #{id}: the entry belongs to unit {other}",
    },
    "bad.ledger_quantity": {"zh": "台帐 #{id}:数量 {qty} 不能为负", "en": "ledger #{id}: quantity {qty} is negative"},
    "bad.ledger_exempt": {"zh": "台帐 #{id}:免扣标记“{value}”无效", "en": "ledger #{id}: unknown exemption “{value}”"},
    "bad.ledger_joint": {"zh": "台帐 #{id}:联办标记“{value}”无效", "en": "ledger #{id}: unknown joint role “{value}”"},
    "bad.ledger_joint_deduction": {
        "zh": "台帐 #{id}:主办/联办比例只适用于加分",
        "en": "ledger #{id}: the lead/co split applies to bonuses only",
    },
    "bad.democratic_group": {
        "zh": "{where}:民主测评“{source}”含方案中没有的“{group}”组",
        "en": "{where}: democratic evaluation “{source}” has a group “{group}” the scheme does not weigh",
    },
    "bad.democratic_vote": {
        "zh": "{where}:民主测评“{source}”“{group}”组含未知选项“{option}”",
        "en": "{where}: democratic evaluation “{source}”, group “{group}” has an unknown option “{option}”",
    },
    "bad.survey_option": {
        "zh": "{where}:调查“{source}”的票数不能为负",
        "en": "{where}: survey “{source}” has a negative count",
    },
    "bad.unit_category": {
        "zh": "单位 {unit} 属于类别 {other},不属于 {category}",
        "en": "unit {unit} belongs to category {other}, not {category}",
    },
}

# Scheme problems (方案校验). ``where`` names the category and node or component.
CATALOGUE.update(
    {
        "scheme.text": {"zh": "{text}", "en": "{text}"},
        "scheme.at": {"zh": "{where}:{what}", "en": "{where}: {what}"},
        "where.scheme": {"zh": "方案", "en": "scheme"},
        "where.category": {"zh": "类别 {category}", "en": "category {category}"},
        "where.node": {"zh": "类别 {category} 指标 {code}", "en": "category {category}, node {code}"},
        "where.component": {"zh": "类别 {category} 组成项 {key}", "en": "category {category}, component {key}"},
        "sp.required": {"zh": "缺少“{field}”", "en": "“{field}” is required"},
        "sp.unknown_fields": {"zh": "无法识别的字段:{keys}", "en": "unknown field(s): {keys}"},
        "sp.unknown_keys": {"zh": "“{field}”中有无法识别的字段:{keys}", "en": "unknown field(s) in “{field}”: {keys}"},
        "sp.not_decimal": {
            "zh": "“{field}”应为数字,写成字符串(如 \"0.5\"),而不是 {value}",
            "en": "“{field}” must be a number written as a string (e.g. \"0.5\"), not {value}",
        },
        "sp.negative": {"zh": "“{field}”不能为负数({value})", "en": "“{field}” must not be negative ({value})"},
        "sp.positive": {"zh": "“{field}”必须大于 0({value})", "en": "“{field}” must be greater than 0 ({value})"},
        "sp.too_big": {"zh": "“{field}” {value} 超过 {maximum}", "en": "“{field}” {value} exceeds {maximum}"},
        "sp.not_text": {"zh": "“{field}”应为文字,而不是 {value}", "en": "“{field}” must be text, not {value}"},
        "sp.not_bool": {"zh": "“{field}”应为 true 或 false,而不是 {value}", "en": "“{field}” must be true or false, not {value}"},
        "sp.not_int": {
            "zh": "“{field}”应为不小于 {minimum} 的整数,而不是 {value}",
            "en": "“{field}” must be a whole number ≥ {minimum}, not {value}",
        },
        "sp.not_list": {"zh": "“{field}”应为列表,而不是 {value}", "en": "“{field}” must be a list, not {value}"},
        "sp.not_object": {"zh": "“{field}”应为对象,而不是 {value}", "en": "“{field}” must be an object, not {value}"},
        "sp.empty": {"zh": "“{field}”不能为空", "en": "“{field}” must not be empty"},
        "sp.choice": {
            "zh": "“{field}”应为 {choices} 之一,而不是 {value}",
            "en": "“{field}” must be one of {choices}, not {value}",
        },
        "sp.duplicate": {"zh": "“{field}”中 {value} 重复", "en": "{value} appears twice in “{field}”"},
        "sp.duplicate_code": {"zh": "指标代码重复", "en": "the node code is used twice"},
        "sp.duplicate_category": {"zh": "类别代码重复", "en": "the category code is used twice"},
        "sp.duplicate_component": {"zh": "组成项代码重复", "en": "the component key is used twice"},
        "sp.unknown_method": {
            "zh": "没有“{method}”这种计分方法(可用:{known})",
            "en": "there is no scoring method “{method}” (known: {known})",
        },
        "sp.leaf_no_rule": {"zh": "末级指标须设计分方法(rule)", "en": "a leaf needs a scoring rule"},
        "sp.inner_rule": {"zh": "有下级指标的节点不能设计分方法", "en": "a node with children cannot have a rule"},
        "sp.leaf_points": {"zh": "末级指标须设分值(points)", "en": "a leaf needs its points"},
        "sp.points_sum": {
            "zh": "分值 {points} 与下级指标分值之和 {sum} 不符",
            "en": "points {points} differ from the sum of its children's points {sum}",
        },
        "sp.points_sum_unit": {
            "zh": "单位 {unit} 的细化指标:共享指标与细化指标分值之和 {sum} 不等于 {points}",
            "en": "unit {unit}'s refined targets: shared and refined points add up to {sum}, not {points}",
        },
        "sp.points_needed_unit": {
            "zh": "含单位细化指标的节点须写明分值(points)",
            "en": "a node holding units' refined targets must state its points",
        },
        "sp.unit_code_inner": {"zh": "只有末级指标可以属于单个单位", "en": "only a leaf can belong to a single unit"},
        "sp.pool_no_children": {"zh": "分值池须有下级指标", "en": "a pool needs children"},
        "sp.pool_points": {"zh": "扣分池须写明分值(points)", "en": "a deduction pool must state its points"},
        "sp.pool_cap": {"zh": "奖励池须设上限(cap)", "en": "a bonus pool needs its cap"},
        "sp.pool_points_cap": {
            "zh": "奖励池分值 {points} 应等于上限 {cap}",
            "en": "a bonus pool's points {points} must equal its cap {cap}",
        },
        "sp.pool_overflow_bonus": {"zh": "只有扣分池可以溢出(overflow)", "en": "only a deduction pool can overflow"},
        "sp.pool_nested": {"zh": "分值池内不能再设分值池", "en": "a pool cannot hold another pool"},
        "sp.pool_method": {
            "zh": "扣分池下的指标须用扣分方法,{method} 不是",
            "en": "a deduction pool holds deduction leaves only; {method} is not one",
        },
        "sp.over_points": {
            "zh": "“{field}” {value} 超过本项分值 {points}",
            "en": "“{field}” {value} exceeds the node's points {points}",
        },
        "sp.tier_bounds": {
            "zh": "档次 {tier}:百分比应满足 0 ≤ 下限 {low} ≤ 上限 {high} ≤ 100",
            "en": "tier {tier}: percentages must satisfy 0 ≤ low {low} ≤ high {high} ≤ 100",
        },
        "sp.rank_place": {"zh": "名次表的键应为正整数,而不是“{value}”", "en": "rank table keys must be places 1, 2, 3…, not “{value}”"},
        "sp.component_source": {
            "zh": "无法识别的来源“{source}”(可用:indicators、survey:<键>、democratic:<键>、direct:<键>、inspections、vetoes、special_last)",
            "en": "unknown source “{source}” (known: indicators, survey:<key>, democratic:<key>, direct:<key>, inspections, vetoes, special_last)",
        },
        "sp.component_deduction_only": {
            "zh": "来源 {source} 只能按扣分方式(deduction)计入",
            "en": "source {source} can only be used in mode “deduction”",
        },
        "sp.component_no_deduction": {
            "zh": "来源 {source} 不能按扣分方式(deduction)计入",
            "en": "source {source} cannot be used in mode “deduction”",
        },
        "sp.component_needs": {"zh": "{mode} 方式须设“{field}”", "en": "mode “{mode}” needs “{field}”"},
        "sp.component_per_item": {
            "zh": "来源 {source} 须设每项扣分(per_item)",
            "en": "source {source} needs “per_item” (points per item)",
        },
        "sp.budgets_mode": {
            "zh": "按组分值(group_budgets)合成的民主测评得的是分值,须用 points 方式",
            "en": "democratic evaluation by group budgets yields points; use mode “points”",
        },
        "sp.both": {"zh": "“{a}”与“{b}”只能设一个", "en": "set “{a}” or “{b}”, not both"},
        "sp.params_for_source": {
            "zh": "只有民主测评来源可以设 params",
            "en": "only a democratic source takes params",
        },
        "sp.veto_component": {
            "zh": "一票否决按扣分(deduction)处理时,须有来源为 vetoes 的扣分项",
            "en": "veto mode “deduction” needs a component with source “vetoes”",
        },
        "sp.vetoes_without_mode": {
            "zh": "有来源为 vetoes 的扣分项,一票否决方式应为 deduction",
            "en": "a “vetoes” component needs veto mode “deduction”",
        },
        "sp.tie_break": {
            "zh": "同分排序依据“{key}”不是本类别的组成项",
            "en": "tie-break key “{key}” is not a component of this category",
        },
        "sp.bands_order": {"zh": "等次下限须从高到低排列", "en": "band minimums must go from highest to lowest"},
        "sp.bands_last": {
            "zh": "最后一个等次须不设下限(min 为空,兜底)",
            "en": "the last band must have no minimum (min null, it catches the rest)",
        },
        "sp.bands_only_last": {
            "zh": "只有最后一个等次可以不设下限",
            "en": "only the last band may have no minimum",
        },
        "sp.shares_sum": {"zh": "各等次比例之和为 {sum},应为 1", "en": "the shares add up to {sum}, not 1"},
        "sp.fail_grade": {
            "zh": "设了 fail_below 须同时设 fail_grade",
            "en": "“fail_below” needs “fail_grade”",
        },
        "sp.category_points": {
            "zh": "类别分值 {points} 与一级指标分值之和 {sum} 不符",
            "en": "category points {points} differ from the roots' sum {sum}",
        },
        "sp.joint_split": {"zh": "联办比例(lead、co)应在 0 到 1 之间", "en": "joint split shares (lead, co) must be between 0 and 1"},
        "sp.format": {
            "zh": "方案格式应为“{expected}”,而不是 {value}",
            "en": "the scheme format must be “{expected}”, not {value}",
        },
    }
)
