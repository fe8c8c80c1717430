"""Write a campaign's scheme document (docs/scheme-document.md) as JSON, or its Excel workbook."""

import json
import sys

from django.core.management.base import BaseCommand

from evaluation.management.commands._campaign_arg import add_campaign_arguments, campaign_from_options
from indicators.selectors.scheme import scheme_document
from indicators.services.excel import scheme_workbook


class Command(BaseCommand):
    help = "Export a campaign's scheme as a scheme document (JSON) or an .xlsx workbook"

    def add_arguments(self, parser):
        add_campaign_arguments(parser)
        parser.add_argument("--output", "-o", help="file to write (.json or .xlsx); standard output when omitted")

    def handle(self, *args, **options):
        campaign = campaign_from_options(options)
        output = options.get("output")
        if output and output.lower().endswith(".xlsx"):
            with open(output, "wb") as handle:
                handle.write(scheme_workbook(campaign))
            self.stderr.write(f"wrote {output}")
            return
        text = json.dumps(scheme_document(campaign), ensure_ascii=False, indent=2) + "\n"
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
            self.stderr.write(f"wrote {output}")
        else:
            sys.stdout.write(text)
