import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from evaluation.services.backup import BackupError, campaign_import


class Command(BaseCommand):
    help = (
        "Restore a campaign archive written by export_campaign into a tenant of this database, all or nothing "
        "(docs/backup.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="archive written by export_campaign")
        parser.add_argument("--tenant", required=True, help="slug of the tenant to restore into")
        parser.add_argument("--create-tenant", action="store_true", help="create the tenant (it must not exist)")
        parser.add_argument("--tenant-name", default="", help="name of the created tenant (default: the source's)")
        parser.add_argument("--as-name", default="", help="campaign name in the target (default: the source's)")
        parser.add_argument(
            "--map-output", type=Path, help="write how the source's ids, file names and renewed values map here (JSON)"
        )

    def handle(self, *args, **options):
        archive: Path = options["archive"]
        if not archive.is_file():
            raise CommandError(f"{archive} is not a file")
        try:
            report = campaign_import(
                archive=archive,
                tenant_slug=options["tenant"],
                create_tenant=options["create_tenant"],
                tenant_name=options["tenant_name"],
                as_name=options["as_name"],
                log=self.stdout.write,
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for kind, names in sorted(report.created.items()):
            self.stdout.write(f"created {kind}: {', '.join(names)}")
        for kind, names in sorted(report.reused.items()):
            self.stdout.write(f"reused existing {kind}: {', '.join(names)}")
        if report.created.get("users"):
            self.stdout.write(self.style.WARNING("created people have no password: they set one by a password reset"))
        for key, values in sorted(report.fresh.items()):
            self.stdout.write(f"renewed {len(values)} {key} (already taken here)")
        if options["map_output"]:
            options["map_output"].write_text(json.dumps(report.mapping(), ensure_ascii=False, indent=2))
            self.stdout.write(f"wrote the id map to {options['map_output']}")
        self.stdout.write(
            self.style.SUCCESS(
                f"imported {report.campaign.title} into {report.tenant.slug} as campaign {report.campaign.pk}: "
                f"{sum(report.counts.values())} rows, {len(report.files)} files"
            )
        )
