"""Explanations: a bilingual catalogue, structured storage, lazy building."""

from __future__ import annotations

import json
import string
from decimal import Decimal as D

import pytest

from evaluation.engine import Explanation, compute_campaign, scheme_from_dict
from evaluation.engine.examples import worked_example_a_inputs, worked_example_a_scheme
from evaluation.engine.explain import CATALOGUE


def placeholders(text: str) -> set[str]:
    return {name for _literal, name, _spec, _conv in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("template", sorted(CATALOGUE))
def test_every_template_speaks_both_languages_with_the_same_parameters(template):
    entry = CATALOGUE[template]
    assert set(entry) - {"join"} == {"zh", "en"}
    assert placeholders(entry["zh"]) == placeholders(entry["en"])


def test_str_is_chinese_and_text_takes_a_language():
    explanation = Explanation("grade.band", {"grade": "优", "total": D("97.40"), "min": D("90")})
    assert str(explanation) == "等次 优:97.40 ≥ 90"
    assert explanation.text("en") == "grade 优: 97.40 ≥ 90"
    with pytest.raises(ValueError):
        explanation.text("fr")


def test_saved_explanations_render_the_same_after_a_json_round_trip():
    result = compute_campaign(scheme_from_dict(worked_example_a_scheme()), worked_example_a_inputs())
    unit = result.unit("U1")
    explanations = [node.explanation for node in unit.nodes.values()] + [c.explanation for c in unit.components]
    explanations += [unit.explanation, unit.rank_explanation, unit.grade_explanation]
    for explanation in explanations:
        stored = json.loads(json.dumps(explanation.to_dict()))
        restored = Explanation.from_dict(stored)
        assert restored.text("zh") == explanation.text("zh")
        assert restored.text("en") == explanation.text("en")


def test_deferred_explanation_is_built_once_on_first_read():
    calls = []

    def build():
        calls.append(1)
        return Explanation("last_place")

    explanation = Explanation.deferred(build)
    assert calls == []
    assert str(explanation) == "本类别末位" and explanation.text("en") == "last place in the category"
    assert explanation.template == "last_place" and calls == [1]
    assert explanation == Explanation("last_place")


def test_negative_numbers_use_a_true_minus_sign():
    assert str(Explanation("comp.points", {"label": "x", "value": D("-1.50")})) == "x −1.50"
