"""A published revision refuses change: in Python (signals) and at the database (triggers)."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from evaluation.models import ResultRevision, UnitResult
from reporting.models import FrozenRevisionError, Publication


def publish(revision, user):
    now = timezone.now()
    return Publication.objects.create(
        tenant=revision.tenant, campaign=revision.campaign, revision=revision, status=Publication.Status.PUBLISHED,
        document_number="南效〔2026〕1号", submitted_by=user, submitted_at=now, approved_by=user, approved_at=now,
        published_by=user, published_at=now,
    )


@pytest.fixture
def published_a(revision_a, office):
    publish(revision_a, office.user)
    return revision_a


@pytest.mark.smoke
def test_published_unit_result_refuses_save_and_delete(published_a):
    result = UnitResult.objects.filter(revision=published_a).first()
    result.total = Decimal("100.00")
    with pytest.raises(FrozenRevisionError), transaction.atomic():
        result.save()
    with pytest.raises(FrozenRevisionError), transaction.atomic():
        result.delete()
    with pytest.raises(FrozenRevisionError), transaction.atomic():
        UnitResult.objects.filter(revision=published_a).delete()
    assert UnitResult.objects.filter(revision=published_a).count() == 6


def test_published_revision_refuses_save_delete_and_new_rows(published_a):
    published_a.reason = "悄悄改"
    with pytest.raises(FrozenRevisionError), transaction.atomic():
        published_a.save()
    with pytest.raises((FrozenRevisionError, ProtectedError)), transaction.atomic():
        published_a.delete()
    first = UnitResult.objects.filter(revision=published_a).first()
    with pytest.raises(FrozenRevisionError), transaction.atomic():
        UnitResult.objects.create(tenant=published_a.tenant, revision=published_a, unit=first.unit,
                                  category=first.category, total=Decimal(1))


def test_published_publication_is_final(published_a):
    publication = published_a.publication
    publication.document_number = "另一个文号"
    with pytest.raises(FrozenRevisionError), transaction.atomic():
        publication.save()
    with pytest.raises(FrozenRevisionError), transaction.atomic():
        publication.delete()


def test_queryset_update_is_refused_by_the_database(published_a):
    """QuerySet.update() bypasses signals; the trigger (SQLite and PostgreSQL) still refuses."""
    with pytest.raises(DatabaseError), transaction.atomic():
        UnitResult.objects.filter(revision=published_a).update(total=Decimal("100.00"))
    with pytest.raises(DatabaseError), transaction.atomic():
        ResultRevision.objects.filter(pk=published_a.pk).update(reason="改")
    assert set(UnitResult.objects.filter(revision=published_a).values_list("total", flat=True)) == {
        Decimal(t) for t in ("96.00", "90.00", "89.00", "44.50", "97.40", "77.55")
    }


def test_unpublished_revision_can_still_change(revision_a, office):
    Publication.objects.create(tenant=revision_a.tenant, campaign=revision_a.campaign, revision=revision_a,
                               submitted_by=office.user, submitted_at=timezone.now())
    UnitResult.objects.filter(revision=revision_a).update(grade="x")
    revision_a.reason = "重新计算"
    revision_a.save(update_fields=["reason"])
    assert set(UnitResult.objects.filter(revision=revision_a).values_list("grade", flat=True)) == {"x"}


@pytest.mark.postgres
def test_raw_sql_is_refused_on_postgresql(published_a):
    if connection.vendor != "postgresql":
        pytest.skip("the database-level refusal of raw UPDATE/DELETE is a PostgreSQL trigger; this run is on "
                    f"{connection.vendor} (run with DATABASE_URL=postgres://…)")
    result_id = UnitResult.objects.filter(revision=published_a).values_list("pk", flat=True).first()
    for sql, params in (
        ("UPDATE evaluation_unitresult SET total = 100 WHERE id = %s", [result_id]),
        ("DELETE FROM evaluation_unitresult WHERE id = %s", [result_id]),
        ("UPDATE evaluation_resultrevision SET reason = 'x' WHERE id = %s", [published_a.pk]),
        ("DELETE FROM evaluation_resultrevision WHERE id = %s", [published_a.pk]),
        ("UPDATE reporting_publication SET document_number = 'x' WHERE revision_id = %s", [published_a.pk]),
        ("DELETE FROM reporting_publication WHERE revision_id = %s", [published_a.pk]),
    ):
        with pytest.raises(DatabaseError, match="frozen|final"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    assert UnitResult.objects.get(pk=result_id).total != Decimal(100)
