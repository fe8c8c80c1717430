"""The request's membership, resolved once per request in one statement: with its tenant, unit,
department and user, never cached, and the same 404 for anyone not an active member."""

import pytest
from django.http import Http404

from evaluation.models import Membership, Tenant
from evaluation.roles import Role
from evaluation.tenancy import instance_from_row, resolve_membership
from tests import factories


@pytest.fixture
def tenant(db):
    return factories.make_tenant("jianou", "建瓯市效能办")


@pytest.mark.parametrize("role", [Role.LEADER, Role.LIAISON, Role.DATA_PROVIDER])
def test_the_membership_comes_with_what_the_request_reads(tenant, role, django_assert_num_queries):
    member = factories.make_member(tenant, role)
    expected = Membership.objects.select_related("tenant", "unit", "department").get(pk=member.pk)

    with django_assert_num_queries(1):
        found = resolve_membership(member.user, tenant.slug)
        seen = (found.pk, found.role, found.is_active, found.tenant.slug, found.tenant.name, found.tenant.created_at,
                found.unit and found.unit.name, found.department and found.department.name, found.user.username)

    assert seen == (expected.pk, expected.role, True, "jianou", "建瓯市效能办", expected.tenant.created_at,
                    expected.unit and expected.unit.name, expected.department and expected.department.name,
                    member.user.username)
    assert found.user is member.user  # the request's own user, not a second copy


def test_anyone_but_an_active_member_gets_the_same_404(tenant):
    member = factories.make_member(tenant, Role.LEADER)
    elsewhere = factories.make_tenant("elsewhere")
    factories.make_member(elsewhere, Role.LEADER, user=member.user)

    for slug in ("no-such-tenant", "elsewhere-not"):
        with pytest.raises(Http404):
            resolve_membership(member.user, slug)
    assert resolve_membership(member.user, "elsewhere").tenant.slug == "elsewhere"
    Membership.objects.filter(pk=member.pk).update(is_active=False)
    with pytest.raises(Http404):
        resolve_membership(member.user, tenant.slug)


def test_a_revoked_membership_or_deactivated_person_loses_access_at_once(client, api_for, tenant):
    member = factories.make_member(tenant, Role.OFFICE_ADMIN)
    client.force_login(member.user)
    page, api = f"/t/{tenant.slug}/", f"/api/t/{tenant.slug}/campaigns/"
    assert client.get(page).status_code == 200 and api_for(member).get(api).status_code == 200

    Membership.objects.filter(pk=member.pk).update(is_active=False)
    assert client.get(page).status_code == 404 and api_for(member).get(api).status_code == 404

    Membership.objects.filter(pk=member.pk).update(is_active=True)
    member.user.is_active = False
    member.user.save(update_fields=["is_active"])
    assert client.get(page).status_code == 302  # to the login page
    assert client.get(api).status_code in (401, 403)


def test_a_row_read_in_sql_is_converted_as_the_orm_converts_it(tenant):
    fields = list(Tenant._meta.concrete_fields)
    values = Tenant.objects.filter(pk=tenant.pk).values_list(*[f.attname for f in fields]).get()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(f.column for f in fields)} FROM {Tenant._meta.db_table} WHERE id = %s",  # noqa: S608
                       [tenant.pk])
        row = cursor.fetchone()

    made = instance_from_row(Tenant, fields, row)

    assert [getattr(made, f.attname) for f in fields] == list(values)
    assert made.created_at.tzinfo is not None and not made._state.adding
