from decimal import Decimal

from evaluation.roles import Role
from inspections import demo
from inspections.selectors.deductions import inspection_deductions
from tests import factories


def test_demo_reproduces_worked_example_a_inspections_and_is_idempotent(db):
    tenant = factories.make_tenant("demo-x")
    campaign = factories.make_campaign(tenant, year=2026)
    category = factories.make_category(campaign)
    for code in ["U1", "U2", "U3", "U5"]:
        factories.enrol(campaign, factories.make_unit(tenant, code), category)
    factories.make_member(tenant, Role.SUPERVISOR, user=factories.make_user("supervisor"))
    factories.make_member(tenant, Role.OFFICE_ADMIN, user=factories.make_user("office"))

    demo.load(tenant)
    demo.load(tenant)

    result = {code: sorted(d.points for d in items) for code, items in inspection_deductions(campaign).items()}
    assert result == {"U1": [Decimal(1)], "U2": [Decimal(1), Decimal(2), Decimal(3)], "U5": [Decimal(2)]}


def test_demo_without_a_campaign_does_nothing(db):
    demo.load(factories.make_tenant("demo-y"))
