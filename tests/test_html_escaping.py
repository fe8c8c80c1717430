"""Issue #9 (hostile input): stored text that pages display is escaped, and pages keep their armour.

Every free-text field a person can type (unit, campaign and indicator names, ledger notes, survey
and questionnaire names, catalogue findings, rectification reports, …) is filled with a script
payload (stored directly, so no service's own checks hide an escaping gap) in the route walk's world (``<app>/tests/walk_samples.py``: one real object of every kind).
Then every tenant page (discovered from the resolver, as tests/test_tenant_walk.py does) is fetched
by each role, and the public e-poll and ballot pages anonymously. No HTML answer may contain a
payload unescaped; each payload must be shown escaped somewhere (so the test is not vacuous);
every HTML answer carries a Content-Security-Policy whose script-src is 'self' without
'unsafe-inline'; and every POST form carries the CSRF token.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.db import models

from evaluation.models import TenantOwned
from evaluation.roles import Role
from tests import factories
from tests.test_tenant_walk import _collect_samples, build_url, tenant_routes

# Free text people type and pages show. Codes, keys, hashes, formulas and choices are left alone:
# they are validated shapes, not prose (and some are parsed when a page renders).
FIELDS = {
    "evaluation.Unit": ["name", "kind"],
    "evaluation.Department": ["name"],
    "evaluation.Campaign": ["name", "document_number"],
    "evaluation.Category": ["name"],
    "evaluation.LedgerEntry": ["note", "source_document", "void_reason"],
    "evaluation.AssessedScore": ["comment"],
    "evaluation.VetoDecision": ["reason"],
    "evaluation.ComputeJob": ["message"],
    "evaluation.ResultRevision": ["reason"],
    "evaluation.TargetItem": ["name", "description", "comment"],
    "evaluation.SelfAssessmentSheet": ["reopen_reason"],
    "evaluation.SelfAssessment": ["narrative"],
    "evaluation.Appeal": ["reason", "decision_reason"],
    "evaluation.Evidence": ["original_name"],
    "evaluation.Notification": ["message"],
    "indicators.IndicatorNode": ["name", "description", "evidence_requirements"],
    "surveys.DemocraticEvaluation": ["name", "instructions"],
    "surveys.EvaluatorGroup": ["name"],
    "surveys.Survey": ["name", "purpose"],
    "surveys.Questionnaire": ["name"],
    "surveys.AnswerOption": ["label"],
    "surveys.Question": ["text"],
    "surveys.Stratum": ["name"],
    "surveys.PaperBatch": ["label"],
    "inspections.CatalogueItem": ["finding", "notes"],
    "inspections.VisitAssignment": ["note"],
    "inspections.Complaint": ["complainant", "summary", "reply", "last_return_reason"],
    "inspections.ComplaintDeduction": ["note"],
    "inspections.Visit": ["place", "note"],
    "inspections.Finding": ["note", "review_reason", "appeal_reason", "appeal_decision"],
    "reporting.Publication": ["document_number", "reason"],
    "reporting.RectificationReport": ["report", "feedback", "review_comment"],
}
# The ones the issue names: each must be displayed (escaped) by at least one page.
MUST_BE_SHOWN = {
    "evaluation.Unit.name", "evaluation.Campaign.name", "indicators.IndicatorNode.name",
    "indicators.IndicatorNode.description", "evaluation.LedgerEntry.note", "surveys.Survey.name",
    "surveys.Questionnaire.name", "inspections.CatalogueItem.finding", "reporting.RectificationReport.report",
}

SCRIPT = re.compile(r"<script>alert\((\d+)\)</script>")
ESCAPED = re.compile(r"&lt;script&gt;alert\((\d+)\)&lt;/script&gt;")


def payload(n: int) -> str:
    return f"<script>alert({n})</script>"


def inject(tenant) -> dict[int, str]:
    """Overwrite every listed field of every row of the tenant with a numbered payload."""
    labels = {}
    n = 0
    for label, names in FIELDS.items():
        model = apps.get_model(label)
        assert issubclass(model, TenantOwned), label
        for name in names:
            field = model._meta.get_field(name)
            assert isinstance(field, models.CharField | models.TextField) and not field.choices, f"{label}.{name}"
            n += 1
            labels[n] = f"{label}.{name}"
            model.objects.filter(tenant=tenant).update(**{name: payload(n)})
    return labels


class FormScanner(HTMLParser):
    """POST forms and whether each holds a csrfmiddlewaretoken input."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._open: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._open = {"method": (attrs.get("method") or "get").lower(), "action": attrs.get("action"),
                          "csrf": False}
            self.forms.append(self._open)
        elif tag == "input" and self._open is not None and attrs.get("name") == "csrfmiddlewaretoken":
            self._open["csrf"] = bool(attrs.get("value"))

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = None


def check_page(url: str, response, shown: set[int]) -> None:
    if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
        return
    html = response.content.decode()
    raw = SCRIPT.findall(html)
    assert not raw, f"{url}: payload(s) {raw} rendered unescaped"
    shown.update(int(n) for n in ESCAPED.findall(html))

    csp = response.get("Content-Security-Policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    script_src = directives.get("script-src", directives.get("default-src"))
    assert script_src is not None, f"{url}: no Content-Security-Policy script-src ({csp!r})"
    assert "'self'" in script_src and "'unsafe-inline'" not in script_src, f"{url}: script-src {script_src}"
    assert "'unsafe-eval'" not in script_src, f"{url}: script-src {script_src}"

    scanner = FormScanner()
    scanner.feed(html)
    for form in scanner.forms:
        if form["method"] == "post":
            assert form["csrf"], f"{url}: POST form to {form['action']!r} has no csrfmiddlewaretoken"


@pytest.fixture
def hostile_world(db):
    tenant = factories.make_tenant("hostile-html", "注入测试效能办")
    unit = factories.make_unit(tenant, "MAIN")
    ctx = {"tenant": tenant, "unit": unit, "other_unit": factories.make_unit(tenant, "OTHER")}
    ctx["samples"] = _collect_samples(ctx)
    # the office sees nearly everything; the liaison its unit's pages; the supervisor the field app
    ctx["members"] = {
        role: factories.make_member(tenant, role, unit=unit if role == Role.LIAISON else None)
        for role in (Role.OFFICE_ADMIN, Role.LIAISON, Role.SUPERVISOR)
    }
    ctx["labels"] = inject(tenant)
    # (after the injection: a published revision's rows are frozen by a database trigger)
    # the walk's publication is only submitted; in force, it opens the published surfaces too
    # (standings, rectification list, scorecards)
    from django.utils import timezone

    from reporting.models import Publication

    Publication.objects.filter(pk=ctx["samples"]["publication_id"]).update(
        status=Publication.Status.PUBLISHED, approved_at=timezone.now(), published_at=timezone.now()
    )

    return ctx


def test_stored_payloads_are_escaped_on_every_page(hostile_world, client):
    tenant = hostile_world["tenant"]
    urls = [
        build_url(route, pattern, tenant.slug, hostile_world["samples"])
        for route, pattern in tenant_routes()
        if not route.startswith("api/")
    ]
    shown: set[int] = set()
    pages = 0
    for role, membership in hostile_world["members"].items():
        client.force_login(membership.user)
        for url in urls:
            response = client.get(url)
            assert response.status_code < 500, f"{role} GET {url}: {response.status_code}"
            check_page(f"{role} GET {url}", response, shown)
            pages += response.status_code == 200
    client.logout()

    # the public pages show survey, questionnaire, question and option texts to anyone
    from django.urls import reverse

    from surveys.models import BallotToken, Survey

    public = [reverse("surveys_public:epoll", kwargs={"public_id": s.public_id})
              for s in Survey.objects.filter(tenant=tenant)]
    public += [reverse("surveys_public:ballot", kwargs={"token": t.token})
               for t in BallotToken.objects.filter(tenant=tenant)]
    for url in public:
        response = client.get(url)
        assert response.status_code < 500, f"GET {url}: {response.status_code}"
        check_page(f"anonymous GET {url}", response, shown)

    labels = hostile_world["labels"]
    assert pages > 50 and public
    missing = sorted(label for n, label in labels.items() if label in MUST_BE_SHOWN and n not in shown)
    assert not missing, f"never displayed, so not proven escaped: {missing}"
