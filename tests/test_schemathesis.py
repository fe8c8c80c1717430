"""Issue #9 (hostile input): property-based fuzzing of the whole tenant API from its own OpenAPI schema.

Schemathesis reads ``/api/schema/`` (drf-spectacular) from the WSGI app in-process and sends
generated requests, as the office admin of a fixture tenant (HTTP Basic) with ``tenant_slug``
fixed to that tenant. Every answer must be a non-5xx and must match the schema's response for its
status: a 500 is unvalidated input reaching the ORM or the engine; a mismatch is a schema that lies.
Bounded and derandomized so it runs in seconds and fails the same way twice.
"""

from __future__ import annotations

import base64

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from evaluation.roles import Role
from tests import factories

SLUG = "hostile"
USERNAME = "fuzz-office"
SUPERVISOR = "fuzz-supervisor"  # spot-check visits are the supervisor's alone (inspection.visit)


# The schema is public and built without the database, so it is loaded at collection: one test per
# operation. (schemathesis.pytest.from_fixture would load it per test, but its subtest reporting
# reads a pytest-internal attribute that pytest 9 removed.)
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
schema.config.update(parameters={"tenant_slug": SLUG}, basic_auth=(USERNAME, factories.PASSWORD))


@pytest.fixture
def _keep_test_connection():
    """The real WSGI handler closes the database connection when a request finishes, which on
    PostgreSQL ends the test's transaction; Django's test client unhooks the same signal."""
    unhooked = [signal for signal in (request_started, request_finished) if signal.disconnect(close_old_connections)]
    yield
    for signal in unhooked:
        signal.connect(close_old_connections)


@pytest.fixture
def fuzz_tenant(db, _keep_test_connection):
    from surveys.services import paper, setup

    tenant = factories.make_tenant(SLUG, "模糊测试效能办")
    office = factories.make_member(tenant, Role.OFFICE_ADMIN, user=factories.make_user(USERNAME))
    factories.make_member(tenant, Role.SUPERVISOR, user=factories.make_user(SUPERVISOR))
    # a little real data, so that the pinned ids below and some generated filters meet rows
    campaign = factories.make_campaign(tenant, 2026)
    category = factories.make_category(campaign)
    unit = factories.make_unit(tenant)
    factories.enrol(campaign, unit, category)
    survey = setup.survey_create(campaign=campaign, key="fuzz", name="模糊测试评议", epoll_enabled=True)
    questionnaire = setup.questionnaire_create(survey=survey, name="问卷", units=[unit])
    batch = paper.paper_batch_create(
        actor=office.user, survey=survey, questionnaire=questionnaire, stratum=None, label="第一批",
        double_entry=False,
    )
    # Parent ids pinned to real rows so the request bodies reach the services (a random parent id
    # only ever meets the 404, which tests/test_tenant_walk.py already covers). Leaf ids stay random.
    return {
        "campaign_id": campaign.pk,
        "survey_id": survey.pk,
        "batch_id": batch.pk,
        "public_id": str(survey.public_id),
    }


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_survives_generated_input(case, fuzz_tenant):
    for name, value in fuzz_tenant.items():
        if name in case.path_parameters:
            case.path_parameters[name] = value
    headers = None
    if "/inspections/visits/" in case.path:
        token = base64.b64encode(f"{SUPERVISOR}:{factories.PASSWORD}".encode()).decode()
        headers = {"Authorization": f"Basic {token}"}
    case.call_and_validate(headers=headers, checks=[not_a_server_error, response_schema_conformance])
