from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from evaluation.roles import PERMISSIONS, Role


def render_roles_markdown() -> str:
    # The probes live with the tests (tests/permission_probes.py): the table says which request
    # tries each action, so the column cannot drift from what the matrix test really sends.
    from tests.permission_probes import API, probes_by_action, tested_through

    roles = list(Role)
    probes = probes_by_action()
    through_api = sum(1 for action in PERMISSIONS if any(p.via == API for p in probes.get(action, [])))
    lines = [
        "# Roles and permissions",
        "",
        "Rendered from `evaluation/roles.py` by `manage.py render_roles`; a test keeps this file equal",
        "to the code. Scope is applied on top: a unit liaison sees only its own unit, a data provider",
        "files only for the indicators it provides, an outsider of the tenant gets 404 everywhere.",
        "",
        "Every cell is tried through HTTP by `tests/test_permission_matrix.py`: each action's probes",
        "(`tests/permission_probes.py`, named in the last column by URL name) are sent as every role.",
        "A role without the action must get 403 from the role table and change nothing; a role with it",
        "must get through, and a write probe's change must happen. An action is probed through the REST",
        f"API where it has an API route ({through_api} of {len(PERMISSIONS)} actions), through the HTML view",
        "(a real form post, CSRF enforced) otherwise. Scope — a liaison reaching for another unit's",
        "object — is tried separately by the same module.",
        "",
        "| action | " + " | ".join(f"{role.label} ({role.value})" for role in roles) + " | meaning | tested through |",
        "|---|" + "---|" * len(roles) + "---|---|",
    ]
    for action, (allowed, description) in PERMISSIONS.items():
        cells = " | ".join("✔" if role in allowed else "" for role in roles)
        lines.append(f"| `{action}` | {cells} | {description} | {tested_through(action)} |")
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "Render docs/roles.md from the role table."

    def handle(self, *args, **options):
        target = Path(settings.BASE_DIR) / "docs" / "roles.md"
        target.write_text(render_roles_markdown(), encoding="utf-8")
        self.stdout.write(f"wrote {target}")
