import pytest

from evaluation.roles import Role
from tests import factories


@pytest.fixture
def example_world(db):
    """A tenant with worked example A's units, a 2026 campaign and two office clerks."""
    tenant = factories.make_tenant("surveys-a", "甲市效能办")
    names = {"U1": "财政局", "U2": "环保局", "U3": "交通局", "U4": "档案馆", "U5": "气象局", "U6": "市场监管局"}
    units = {code: factories.make_unit(tenant, code, name) for code, name in names.items()}
    campaign = factories.make_campaign(tenant)
    c1 = factories.make_category(campaign, "C1", "第一类")
    c2 = factories.make_category(campaign, "C2", "第二类")
    for code in ("U1", "U2", "U3", "U6"):
        factories.enrol(campaign, units[code], c1)
    for code in ("U4", "U5"):
        factories.enrol(campaign, units[code], c2)
    admin = factories.make_member(tenant, Role.OFFICE_ADMIN)
    clerk = factories.make_member(tenant, Role.OFFICE_ADMIN)
    return {"tenant": tenant, "units": units, "campaign": campaign, "admin": admin, "clerk": clerk}
