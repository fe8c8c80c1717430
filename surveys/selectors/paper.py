"""Reads for paper entry: batches, double-entry mismatches, pending re-keying."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q

from surveys.models import PaperBatch, PaperKeying, Question, Response, Survey


@dataclass(frozen=True)
class Difference:
    question_id: int
    question: str
    first: int | None
    second: int | None


@dataclass(frozen=True)
class Mismatch:
    sheet_no: int
    first: dict[str, int]
    second: dict[str, int]
    differences: list[Difference]


def batches_of(survey: Survey):
    return (
        PaperBatch.objects.filter(tenant_id=survey.tenant_id, survey=survey)
        .select_related("stratum", "questionnaire")
        .annotate(responses_count=Count("responses", distinct=True))
        .order_by("-created_at", "-id")
    )


def batch_mismatches(batch: PaperBatch) -> list[Mismatch]:
    """Sheets keyed twice that disagree and have no response yet."""
    done = set(Response.objects.filter(batch=batch).values_list("sheet_no", flat=True))
    passes: dict[int, dict[int, dict]] = defaultdict(dict)
    for sheet_no, pass_no, answers in PaperKeying.objects.filter(batch=batch).values_list(
        "sheet_no", "pass_no", "answers"
    ):
        if sheet_no not in done:
            passes[sheet_no][pass_no] = answers
    texts = dict(Question.objects.filter(questionnaire_id=batch.questionnaire_id).values_list("id", "text"))
    mismatches = []
    for sheet_no in sorted(passes):
        both = passes[sheet_no]
        if len(both) != 2:
            continue
        first, second = both[1], both[2]
        keys = sorted(set(first) | set(second), key=int)
        differences = [
            Difference(int(k), texts.get(int(k), k), first.get(k), second.get(k))
            for k in keys
            if first.get(k) != second.get(k)
        ]
        mismatches.append(Mismatch(sheet_no, first, second, differences))
    return mismatches


def batch_pending_second(batch: PaperBatch) -> list[int]:
    """Sheets of a double-entry batch keyed once, waiting for the second clerk."""
    return list(
        PaperKeying.objects.filter(batch=batch)
        .values("sheet_no")
        .annotate(n=Count("id"))
        .filter(n=1)
        .order_by("sheet_no")
        .values_list("sheet_no", flat=True)
    )


def batch_counts(batch: PaperBatch) -> dict[str, int]:
    keyed = PaperKeying.objects.filter(batch=batch).aggregate(
        first=Count("id", filter=Q(pass_no=1)), second=Count("id", filter=Q(pass_no=2))
    )
    return {"responses": Response.objects.filter(batch=batch).count(), **keyed}
