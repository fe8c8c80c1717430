from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from evaluation.models import Campaign
from evaluation.services.backup import BackupError, campaign_export


def campaign_by_id_or_year(tenant_slug: str, value: int) -> Campaign:
    """The tenant's campaign with id ``value``, else its only campaign of year ``value``."""
    campaigns = Campaign.objects.filter(tenant__slug=tenant_slug)
    by_id = campaigns.filter(pk=value).first()
    by_year = list(campaigns.filter(year=value)[:2])
    if by_id is not None and by_year and by_year != [by_id]:
        raise CommandError(f"{value} is both a campaign id and a year in {tenant_slug}: it is ambiguous")
    if by_id is not None:
        return by_id
    if len(by_year) == 1:
        return by_year[0]
    if by_year:
        raise CommandError(f"{tenant_slug} has several campaigns in {value}: name one by its id")
    raise CommandError(f"{tenant_slug} has no campaign with id or year {value}")


class Command(BaseCommand):
    help = (
        "Write one campaign (scheme, units, every input, evidence files, results, publications, audit trail) "
        "into one archive that import_campaign restores (docs/backup.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="tenant slug")
        parser.add_argument("--campaign", required=True, type=int, help="campaign id, or its year")
        parser.add_argument("--output", required=True, type=Path, help="archive to write (.zip)")
        parser.add_argument("--force", action="store_true", help="replace an existing file at --output")

    def handle(self, *args, **options):
        campaign = campaign_by_id_or_year(options["tenant"], options["campaign"])
        output: Path = options["output"]
        if output.exists() and not options["force"]:
            raise CommandError(f"{output} exists: choose another path or add --force")
        if not output.parent.is_dir():
            raise CommandError(f"{output.parent} is not a directory")
        self.stdout.write(f"exporting {campaign.title} (id {campaign.pk}) of {options['tenant']}…")
        try:
            summary = campaign_export(campaign=campaign, path=output, log=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"wrote {output}: {sum(summary.counts.values())} rows, {summary.files} files ({summary.bytes} bytes)"
            )
        )
