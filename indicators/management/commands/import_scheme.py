"""Create a campaign from a scheme document (JSON) or a workbook (.xlsx); all problems or nothing."""

import json

from django.core.management.base import BaseCommand, CommandError

from evaluation.models import Tenant
from indicators.services.excel import WorkbookError, workbook_import
from indicators.services.scheme import SchemeImportError, scheme_document_import


class Command(BaseCommand):
    help = "Import a scheme document (.json) or workbook (.xlsx) as a new campaign of a tenant"

    def add_arguments(self, parser):
        parser.add_argument("path", help="a .json scheme document or an .xlsx workbook")
        parser.add_argument("--tenant", required=True, help="tenant slug")
        parser.add_argument("--year", type=int, help="override the document's year")
        parser.add_argument("--name", help="override the document's campaign name")

    def handle(self, *args, **options):
        tenant = Tenant.objects.filter(slug=options["tenant"]).first()
        if tenant is None:
            raise CommandError(f"no tenant {options['tenant']!r}")
        path = options["path"]
        try:
            if path.lower().endswith(".xlsx"):
                with open(path, "rb") as handle:
                    campaign = workbook_import(tenant=tenant, fileobj=handle, actor=None, year=options.get("year"),
                                               name=options.get("name"))
            else:
                with open(path, encoding="utf-8") as handle:
                    document = json.load(handle)
                meta = dict(document.get("campaign") or {})
                if options.get("year"):
                    meta["year"] = options["year"]
                if options.get("name"):
                    meta["name"] = options["name"]
                document["campaign"] = meta
                campaign = scheme_document_import(tenant=tenant, document=document, actor=None)
        except WorkbookError as error:
            raise CommandError("nothing imported:\n" + "\n".join(str(p) for p in error.problems)) from error
        except SchemeImportError as error:
            raise CommandError("nothing imported:\n" + "\n".join(error.messages)) from error
        except (OSError, ValueError) as error:
            raise CommandError(f"cannot read {path}: {error}") from error
        self.stdout.write(f"campaign {campaign.pk}: {campaign.year} {campaign.name}")
