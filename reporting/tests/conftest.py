import pytest

from evaluation.roles import Role
from reporting.tests import builders
from tests import factories


@pytest.fixture
def tenant(db):
    tenant = factories.make_tenant("nanping", "南平市效能办")
    tenant.office_name = "南平市机关效能建设领导小组办公室"
    tenant.save(update_fields=["office_name"])
    return tenant


@pytest.fixture
def revision_a(tenant):
    """Worked example A, computed by the engine and stored as revision 1."""
    return builders.example_a(tenant)


@pytest.fixture
def office(tenant):
    return factories.make_member(tenant, Role.OFFICE_ADMIN, user=factories.make_user("office-a"))


@pytest.fixture
def leader(tenant):
    return factories.make_member(tenant, Role.LEADER, user=factories.make_user("leader-a"))


@pytest.fixture
def liaison_u1(tenant, revision_a):
    from evaluation.models import Unit

    unit = Unit.objects.get(tenant=tenant, code="U1")
    return factories.make_member(tenant, Role.LIAISON, user=factories.make_user("liaison-u1"), unit=unit)


@pytest.fixture
def outsider(db):
    other = factories.make_tenant("elsewhere", "乙县效能办")
    return factories.make_member(other, Role.OFFICE_ADMIN, user=factories.make_user("outsider"))
