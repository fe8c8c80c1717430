"""Paper entry (纸质问卷录入): batches keyed by staff, optionally keyed twice (双录入).

In a double-entry batch each sheet is keyed by two different clerks; the sheet becomes a
response when both keyings agree, and a mismatch waits for the office to resolve it with the
paper sheet in hand. A single-entry batch turns each keying straight into a response.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from evaluation.services.audit import audit_record
from surveys.models import PaperBatch, PaperKeying, Questionnaire, Response, Stratum, Survey
from surveys.services.responses import QuestionnaireShape, response_write


@dataclass(frozen=True)
class SheetOutcome:
    """What keying a sheet did: ``saved`` (a response), ``first`` (waiting for the second
    keying), ``matched`` (second keying agreed: a response) or ``mismatch`` (to resolve)."""

    status: str
    sheet_no: int
    response: Response | None = None


@transaction.atomic
def paper_batch_create(
    *, actor, survey: Survey, questionnaire: Questionnaire, label: str, stratum: Stratum | None = None,
    double_entry: bool | None = None,
) -> PaperBatch:
    if questionnaire.survey_id != survey.pk or (stratum is not None and stratum.survey_id != survey.pk):
        raise ValidationError("问卷或抽样层不属于本评议")
    if PaperBatch.objects.filter(survey=survey, label=label).exists():
        raise ValidationError({"label": "批次号重复"})
    return PaperBatch.objects.create(
        tenant_id=survey.tenant_id, survey=survey, questionnaire=questionnaire, stratum=stratum, label=label,
        double_entry=survey.double_entry if double_entry is None else double_entry, created_by=actor,
    )


def next_sheet_no(batch: PaperBatch) -> int:
    """The number after the highest keyed in ``batch`` (the entry form's default)."""
    from django.db.models import Max

    a = Response.objects.filter(batch=batch).aggregate(m=Max("sheet_no"))["m"] or 0
    b = PaperKeying.objects.filter(batch=batch).aggregate(m=Max("sheet_no"))["m"] or 0
    return max(a, b) + 1


def paper_sheet_enter(
    *, actor, batch: PaperBatch, answers: Mapping, sheet_no: int | None = None,
    shape: QuestionnaireShape | None = None,
) -> SheetOutcome:
    """Key one paper sheet of ``batch``. ``sheet_no`` defaults to the next free number."""
    if batch.status != PaperBatch.Status.OPEN:
        raise ValidationError("该批次已完成录入")
    shape = shape or QuestionnaireShape(batch.questionnaire)
    cleaned = shape.clean(answers, complete=False)
    if sheet_no is not None and sheet_no < 1:
        raise ValidationError("问卷编号应为正整数")
    try:
        with transaction.atomic():
            number = sheet_no or next_sheet_no(batch)
            if not batch.double_entry:
                response = response_write(
                    questionnaire=batch.questionnaire, stratum=batch.stratum, channel=Response.Channel.PAPER,
                    answers=cleaned, batch=batch, sheet_no=number,
                )
                outcome = SheetOutcome("saved", number, response)
            else:
                outcome = _double_entry(actor=actor, batch=batch, number=number, cleaned=cleaned)
            _audit(actor=actor, batch=batch, action="survey.paper_sheet",
                   after={"sheet_no": number, "outcome": outcome.status, "answers": _as_json(cleaned)})
            return outcome
    except IntegrityError as exc:
        raise ValidationError("该编号的问卷已录入") from exc


def _as_json(cleaned: dict[int, int]) -> dict[str, int]:
    return {str(q): o for q, o in sorted(cleaned.items())}


def _audit(*, actor, batch: PaperBatch, action: str, after: dict, before: dict | None = None) -> None:
    """The trail of keyed paper sheets: a sheet has no respondent, so its answers may be kept."""
    audit_record(tenant=batch.tenant_id, actor=actor, action=action, obj=batch, campaign=batch.survey.campaign_id,
                 before=before, after=after, label=f"{batch.survey.name} · {batch.label}")


def _double_entry(*, actor, batch: PaperBatch, number: int, cleaned: dict[int, int]) -> SheetOutcome:
    keyings = list(PaperKeying.objects.select_for_update().filter(batch=batch, sheet_no=number))
    if Response.objects.filter(batch=batch, sheet_no=number).exists():
        raise ValidationError(f"第 {number} 号问卷已录入")
    if not keyings:
        PaperKeying.objects.create(
            tenant_id=batch.tenant_id, batch=batch, sheet_no=number, pass_no=1, answers=_as_json(cleaned), clerk=actor
        )
        return SheetOutcome("first", number)
    if len(keyings) > 1:
        raise ValidationError(f"第 {number} 号问卷已录入两遍,待核对")
    first = keyings[0]
    if first.clerk_id == actor.pk:
        raise ValidationError("双录入须由另一名录入员复录")
    PaperKeying.objects.create(
        tenant_id=batch.tenant_id, batch=batch, sheet_no=number, pass_no=2, answers=_as_json(cleaned), clerk=actor
    )
    if first.answers == _as_json(cleaned):
        response = response_write(
            questionnaire=batch.questionnaire, stratum=batch.stratum, channel=Response.Channel.PAPER,
            answers=cleaned, batch=batch, sheet_no=number,
        )
        return SheetOutcome("matched", number, response)
    return SheetOutcome("mismatch", number)


@transaction.atomic
def paper_sheet_resolve(*, actor, batch: PaperBatch, sheet_no: int, answers: Mapping) -> Response:
    """Settle a double-entry mismatch with the answers read off the paper sheet."""
    keyings = list(PaperKeying.objects.select_for_update().filter(batch=batch, sheet_no=sheet_no))
    if len(keyings) != 2 or Response.objects.filter(batch=batch, sheet_no=sheet_no).exists():
        raise ValidationError("该问卷没有待核对的录入差异")
    cleaned = QuestionnaireShape(batch.questionnaire).clean(answers, complete=False)
    response = response_write(
        questionnaire=batch.questionnaire, stratum=batch.stratum, channel=Response.Channel.PAPER,
        answers=cleaned, batch=batch, sheet_no=sheet_no,
    )
    _audit(actor=actor, batch=batch, action="survey.paper_resolve",
           before={f"pass {k.pass_no}": k.answers for k in sorted(keyings, key=lambda k: k.pass_no)},
           after={"sheet_no": sheet_no, "answers": _as_json(cleaned)})
    return response


@transaction.atomic
def paper_batch_close(*, actor, batch: PaperBatch) -> PaperBatch:
    from surveys.selectors.paper import batch_mismatches, batch_pending_second

    if batch_mismatches(batch) or batch_pending_second(batch):
        raise ValidationError("批次还有待复录或待核对的问卷")
    before = {"status": batch.status}
    batch.status = PaperBatch.Status.CLOSED
    batch.save(update_fields=["status"])
    _audit(actor=actor, batch=batch, action="survey.paper_batch_close", before=before,
           after={"status": batch.status, "responses": Response.objects.filter(batch=batch).count()})
    return batch
