"""Scoped accessors for surveys: the same 404 for "missing" and "not yours"."""

from __future__ import annotations

from django.http import Http404

from evaluation.models import Membership
from surveys.models import DemocraticEvaluation, PaperBatch, Survey


def _get(queryset, **lookup):
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("Not found") from exc


def surveys_for(membership: Membership):
    return Survey.objects.filter(tenant_id=membership.tenant_id).select_related("campaign")


def access_survey(membership: Membership, survey_id) -> Survey:
    return _get(surveys_for(membership), pk=survey_id)


def access_batch(membership: Membership, survey: Survey, batch_id) -> PaperBatch:
    return _get(
        PaperBatch.objects.filter(tenant_id=membership.tenant_id, survey=survey).select_related(
            "questionnaire", "stratum", "survey"
        ),
        pk=batch_id,
    )


def access_batch_any(membership: Membership, batch_id) -> PaperBatch:
    return _get(
        PaperBatch.objects.filter(tenant_id=membership.tenant_id).select_related("questionnaire", "stratum", "survey"),
        pk=batch_id,
    )


def democratic_for(membership: Membership):
    return DemocraticEvaluation.objects.filter(tenant_id=membership.tenant_id).select_related("campaign")


def access_democratic(membership: Membership, evaluation_id) -> DemocraticEvaluation:
    return _get(democratic_for(membership), pk=evaluation_id)
