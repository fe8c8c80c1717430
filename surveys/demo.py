"""The demo's surveys (演示数据): worked example A's ballots, entered through the features.

For the demo tenant's 2026 campaign: the public survey (key ``public``) rating U1, U2, U3 and
U6, its ballots keyed as paper sheets; and the democratic evaluation rating U4 and U5, one token
per ballot, each token used to vote. Idempotent: a survey or evaluation that exists is left as it
is, so running the demo twice leaves the same counts.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from evaluation.models import Campaign, Membership, Unit
from evaluation.roles import Role

PUBLIC_KEY = "public"
DEFAULT_DEMOCRATIC_KEY = "democratic"

# Domain section 12: 满意 / 基本满意 / 一般 / 不满意 / 不了解 per unit.
EXAMPLE_A_PUBLIC = {
    "U1": (70, 20, 10, 0, 8),
    "U2": (55, 30, 10, 5, 0),
    "U3": (25, 20, 35, 20, 0),
    "U6": (60, 30, 10, 0, 0),
}
# 满意 / 一般 / 不满意 / 不了解 per unit.
EXAMPLE_A_DEMOCRATIC = {
    "U4": (30, 8, 2, 5),
    "U5": (38, 2, 0, 0),
}
DEMOCRATIC_CHOICES = ("satisfied", "average", "dissatisfied", "unknown")


def public_sheets(option_ids: list[int], question_ids: dict[str, int]) -> list[dict[int, int]]:
    """Paper sheets that carry example A's public ballots.

    Each sheet rates all four units (the questionnaire rates several units); sheet ``i`` takes
    the ``i``-th rating of each unit, and units with fewer ratings than the longest are left
    blank on the later sheets, as on paper.
    """
    columns: dict[str, list[int]] = {}
    for code, counts in EXAMPLE_A_PUBLIC.items():
        ratings: list[int] = []
        for option_id, count in zip(option_ids, counts, strict=True):
            ratings.extend([option_id] * count)
        columns[code] = ratings
    longest = max(len(r) for r in columns.values())
    sheets = []
    for i in range(longest):
        sheet = {question_ids[code]: ratings[i] for code, ratings in columns.items() if i < len(ratings)}
        sheets.append(sheet)
    return sheets


def democratic_ballots(unit_ids: dict[str, int]) -> list[dict[int, str]]:
    """Ballots rating U4 and U5 with example A's votes (one ballot per evaluator).

    U4 has 45 votes and U5 40: the last five ballots leave U5 unmarked, which is not counted.
    """
    columns: dict[str, list[str]] = {}
    for code, counts in EXAMPLE_A_DEMOCRATIC.items():
        votes: list[str] = []
        for choice, count in zip(DEMOCRATIC_CHOICES, counts, strict=True):
            votes.extend([choice] * count)
        columns[code] = votes
    length = max(len(v) for v in columns.values())
    return [
        {unit_ids[code]: votes[i] for code, votes in columns.items() if i < len(votes)} for i in range(length)
    ]


def democratic_key_for(campaign: Campaign) -> str:
    """The key the campaign's formula names (``democratic:<key>``), else ``democratic``."""
    try:
        from indicators.models import CategoryRules
    except ImportError:  # pragma: no cover - indicators is always installed
        return DEFAULT_DEMOCRATIC_KEY
    for components in CategoryRules.objects.filter(category__campaign=campaign).values_list("components", flat=True):
        for component in components or []:
            source = str(component.get("source", ""))
            if source.startswith("democratic:"):
                return source.split(":", 1)[1]
    return DEFAULT_DEMOCRATIC_KEY


def load(tenant) -> None:
    campaign = Campaign.objects.filter(tenant=tenant, year=2026).order_by("id").first()
    if campaign is None:
        return
    admin = Membership.objects.filter(tenant=tenant, role=Role.OFFICE_ADMIN, is_active=True).select_related("user").first()
    units = {u.code: u for u in Unit.objects.filter(tenant=tenant, code__in=["U1", "U2", "U3", "U4", "U5", "U6"])}
    if admin is None or len(units) < 6:
        return
    load_public(campaign=campaign, actor=admin.user, units=units)
    load_democratic(campaign=campaign, units=units)


@transaction.atomic
def load_public(*, campaign: Campaign, actor, units: dict[str, Unit]):
    from surveys.models import Survey
    from surveys.services.paper import paper_batch_create, paper_sheet_enter
    from surveys.services.responses import QuestionnaireShape
    from surveys.services.setup import questionnaire_create, stratum_create, survey_create

    if Survey.objects.filter(campaign=campaign, key=PUBLIC_KEY).exists():
        return None
    survey = survey_create(
        campaign=campaign, key=PUBLIC_KEY, name="2026年度公众评议", epoll_enabled=False,
        purpose="本问卷不收集姓名、电话等个人信息,仅用于统计公众对各单位工作的满意度,作为年度绩效考评的公众评议得分。",
    )
    questionnaire = questionnaire_create(
        survey=survey, name="公众评议问卷(第一类)", units=[units[c] for c in EXAMPLE_A_PUBLIC],
    )
    stratum = stratum_create(survey=survey, code="P01", name="市行政服务中心", quota=100)
    option_ids = list(questionnaire.options.order_by("order").values_list("id", flat=True))
    question_ids = {q.unit.code: q.pk for q in questionnaire.questions.select_related("unit")}
    batch = paper_batch_create(actor=actor, survey=survey, questionnaire=questionnaire, label="2026-P01-001",
                               stratum=stratum, double_entry=False)
    shape = QuestionnaireShape(questionnaire)
    for number, sheet in enumerate(public_sheets(option_ids, question_ids), start=1):
        paper_sheet_enter(actor=actor, batch=batch, answers=sheet, sheet_no=number, shape=shape)
    return survey


def load_democratic(*, campaign: Campaign, units: dict[str, Unit]):
    from surveys.models import DemocraticEvaluation
    from surveys.services.democratic import ballot_cast
    from surveys.services.setup import ballot_tokens_issue, democratic_create, evaluator_group_create

    key = democratic_key_for(campaign)
    with transaction.atomic():
        if DemocraticEvaluation.objects.filter(campaign=campaign, key=key).exists():
            return None
        evaluation = democratic_create(
            campaign=campaign, key=key, name="2026年度民主测评(第二类)", units=[units[c] for c in EXAMPLE_A_DEMOCRATIC],
            instructions="请对下列单位的工作作出评价。本票不记名,投票后任何人都无法知道您的选择。",
        )
        group = evaluator_group_create(evaluation=evaluation, code="deputies", name="人大代表、政协委员",
                                       kind="deputies", weight=Decimal(1))
        ballots = democratic_ballots({c: units[c].pk for c in EXAMPLE_A_DEMOCRATIC})
        tokens = ballot_tokens_issue(group=group, count=len(ballots))
        for token, votes in zip(tokens, ballots, strict=True):
            ballot_cast(token=token.token, votes=votes)
    return evaluation
