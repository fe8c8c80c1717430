"""The one role table: which role may do which action.

Every permission check in the product (views, API, services) asks :func:`role_can`; docs/roles.md
is rendered from this table by ``manage.py render_roles`` and a test keeps the two equal.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OFFICE_ADMIN = "office_admin", _("效能办管理员")
    ASSESSOR = "assessor", _("考评组成员")
    LIAISON = "liaison", _("单位联络员")
    DATA_PROVIDER = "data_provider", _("数据提供部门")
    SUPERVISOR = "supervisor", _("效能监督员")
    VETO_AUTHORITY = "veto_authority", _("一票否决部门")
    LEADER = "leader", _("领导")


ALL = frozenset(Role)
O = Role.OFFICE_ADMIN  # noqa: E741
A = Role.ASSESSOR
L = Role.LIAISON
P = Role.DATA_PROVIDER
S = Role.SUPERVISOR
V = Role.VETO_AUTHORITY
D = Role.LEADER  # D for 领导 dashboards

# action -> (roles, description). Scope (a liaison sees only its own unit, a provider only the
# indicators it provides) is applied by the access_* functions, not here.
PERMISSIONS: dict[str, tuple[frozenset[Role], str]] = {
    "tenant.view": (ALL, "See the tenant's home page and campaigns list"),
    "campaign.view": (ALL, "Open a campaign"),
    "campaign.manage": (frozenset({O}), "Create, clone, edit campaigns and phases"),
    "unit.view": (frozenset({O, A, D, S, V, P, L}), "See units (a liaison: its own unit only)"),
    "unit.manage": (frozenset({O}), "Create and edit units, categories and memberships"),
    "scheme.view": (frozenset({O, A, D, L, P, S, V}), "Read the indicator tree and rules"),
    "scheme.edit": (frozenset({O}), "Edit indicator trees, rules, formulas, grades"),
    "scheme.export": (frozenset({O, D}), "Export the scheme as Excel or a scheme document"),
    "results.compute": (frozenset({O}), "Start a computation job"),
    "results.view_all": (frozenset({O, A, D}), "See every unit's results"),
    "results.view_own": (frozenset({O, A, D, L}), "See a unit's results (a liaison: its own)"),
    "membership.view": (frozenset({O}), "See the tenant's people and roles"),
    # the year's work (targets, ledger, self-assessment, assessment, vetoes)
    "targets.edit": (frozenset({L}), "Draft and submit the unit's refined targets"),
    "targets.review": (frozenset({O}), "Approve or return refined targets"),
    "ledger.view": (frozenset({O, A, D, L, P}), "See ledger entries (liaison: own unit; provider: own filings)"),
    "ledger.file": (frozenset({O, P}), "File ledger entries (provider: its own indicators only)"),
    "ledger.review": (frozenset({O}), "Confirm or void ledger entries, decide appeals"),
    "ledger.appeal": (frozenset({L}), "Appeal a ledger entry against the own unit"),
    "selfassessment.edit": (frozenset({L}), "File the unit's self-assessment with evidence"),
    "selfassessment.reopen": (frozenset({O}), "Reopen a submitted self-assessment"),
    "evidence.download": (frozenset({O, A, D, L}), "Download evidence (liaison: own unit only)"),
    "assessment.score": (frozenset({A}), "Enter verified scores on the scoring sheet"),
    "assessment.view": (frozenset({O, A, D}), "See the scoring sheets"),
    "assessment.reconcile": (frozenset({O}), "Reconcile two assessors' scores"),
    "veto.decide": (frozenset({V}), "Sign off or veto units"),
    "veto.view": (frozenset({O, D, V}), "See veto decisions"),
    "notifications.view": (ALL, "See one's notifications"),
    # surveys
    "survey.manage": (frozenset({O}), "Configure questionnaires, sampling plans, evaluator groups, tokens"),
    "survey.enter": (frozenset({O}), "Key in paper questionnaires"),
    "survey.results": (frozenset({O, D}), "See survey results and export them"),
    # inspections and complaints
    "inspection.manage": (frozenset({O}), "Edit the deduction catalogue and visit plans"),
    "inspection.visit": (frozenset({S}), "Log spot-check visits"),
    "inspection.review": (frozenset({O}), "Confirm or reject findings, decide appeals"),
    "inspection.view_own": (frozenset({O, D, L}), "See confirmed findings (liaison: own unit)"),
    "inspection.appeal": (frozenset({L}), "Appeal a finding against the own unit"),
    "complaint.manage": (frozenset({O}), "Register and assign complaints, record outcomes"),
    "complaint.handle": (frozenset({L}), "Handle complaints assigned to the own unit"),
    # publication and reporting
    "publication.submit": (frozenset({O}), "Submit results for review, publish, correct"),
    "publication.approve": (frozenset({D}), "Approve results for publication"),
    "bulletin.generate": (frozenset({O}), "Generate bulletins and score cards"),
    "bulletin.download": (frozenset({O, D}), "Download bulletins"),
    "scorecard.download": (frozenset({O, D, L}), "Download score cards (liaison: own unit)"),
    "dashboard.view": (frozenset({O, D}), "Leader dashboards"),
    "standings.view_own": (frozenset({O, D, L}), "Provisional standings (liaison: own unit)"),
    "rectification.file": (frozenset({L}), "File the unit's rectification report"),
    "rectification.track": (frozenset({O, D}), "Track rectification reports"),
    "rectification.review": (frozenset({O}), "Accept or return rectification reports"),
    "audit.view": (frozenset({O}), "Browse and export the audit trail"),
}


def role_can(role: str, action: str) -> bool:
    try:
        roles, _description = PERMISSIONS[action]
    except KeyError as exc:
        # An unknown action is a programming error; failing loudly keeps the table the only source.
        raise KeyError(f"unknown action {action!r}: add it to evaluation.roles.PERMISSIONS") from exc
    return role in roles


def actions_for(role: str) -> list[str]:
    return [action for action, (roles, _d) in PERMISSIONS.items() if role in roles]
