from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from evaluation.roles import PERMISSIONS, Role


def render_roles_markdown() -> str:
    roles = list(Role)
    lines = [
        "# Roles and permissions",
        "",
        "Rendered from `evaluation/roles.py` by `manage.py render_roles`; a test keeps this file equal",
        "to the code. Scope is applied on top: a unit liaison sees only its own unit, a data provider",
        "files only for the indicators it provides, an outsider of the tenant gets 404 everywhere.",
        "",
        "| action | " + " | ".join(f"{role.label} ({role.value})" for role in roles) + " | meaning |",
        "|---|" + "---|" * len(roles) + "---|",
    ]
    for action, (allowed, description) in PERMISSIONS.items():
        cells = " | ".join("✔" if role in allowed else "" for role in roles)
        lines.append(f"| `{action}` | {cells} | {description} |")
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "Render docs/roles.md from the role table."

    def handle(self, *args, **options):
        target = Path(settings.BASE_DIR) / "docs" / "roles.md"
        target.write_text(render_roles_markdown(), encoding="utf-8")
        self.stdout.write(f"wrote {target}")
