import json

from django.core.management.base import BaseCommand, CommandError

from evaluation.management.commands._campaign_arg import add_campaign_arguments, campaign_from_options
from evaluation.selectors.results import latest_revision, revision_results, text


def results_document(revision, lang: str = "zh") -> dict:
    units = []
    for row in revision_results(revision):
        units.append(
            {
                "category": row.category.code,
                "code": row.unit.code,
                "name": row.unit.name,
                "complete": row.complete,
                "missing": [text(m, lang) for m in row.missing],
                "components": {c["key"]: c["value"] for c in row.components},
                "component_scores": {c["key"]: c["raw"] for c in row.components},
                "total": None if row.total is None else format(row.total, "f"),
                "rank": row.rank,
                "grade": row.grade or None,
                "eligible_top": row.eligible_top,
                "vetoed": row.vetoed,
                "last_place": row.last_place,
                "explanation": {
                    "total": text(row.explanation.get("total"), lang),
                    "grade": text(row.explanation.get("grade"), lang),
                    "components": {c["key"]: text(c["explanation"], lang) for c in row.components},
                    "nodes": {code: text(node.get("explanation"), lang) for code, node in row.nodes.items()},
                },
            }
        )
    return {"campaign": revision.campaign_id, "revision": revision.number, "fingerprint": revision.fingerprint, "units": units}


class Command(BaseCommand):
    help = "Print the latest revision's results (per unit: category, code, name, components, total, rank, grade, eligibility, explanation)."

    def add_arguments(self, parser):
        add_campaign_arguments(parser)
        parser.add_argument("--format", choices=["json", "table"], default="json")
        parser.add_argument("--lang", choices=["zh", "en"], default="zh")

    def handle(self, *args, **options):
        campaign = campaign_from_options(options)
        revision = latest_revision(campaign)
        if revision is None:
            raise CommandError("the campaign has no results yet: run compute_campaign first")
        document = results_document(revision, options["lang"])
        if options["format"] == "json":
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
            return
        for unit in document["units"]:
            # the score of each part, then what it adds to the total (domain section 12's columns)
            components = "  ".join(
                f"{key}={unit['component_scores'][key]}→{value}" for key, value in unit["components"].items()
            )
            flags = " ".join(f for f, on in (("vetoed", unit["vetoed"]), ("last-place", unit["last_place"])) if on)
            self.stdout.write(
                f"{unit['category']:<6} {unit['code']:<6} {unit['name']:<10} {components}  total={unit['total']}"
                f"  rank={unit['rank']}  grade={unit['grade']} {flags}".rstrip()
            )
