from django.core.management.base import CommandError

from evaluation.models import Campaign


def add_campaign_arguments(parser) -> None:
    parser.add_argument("--tenant", required=True, help="tenant slug")
    parser.add_argument("--year", type=int, help="campaign year (when the tenant has one campaign that year)")
    parser.add_argument("--campaign", type=int, help="campaign id")


def campaign_from_options(options) -> Campaign:
    campaigns = Campaign.objects.filter(tenant__slug=options["tenant"])
    if options.get("campaign"):
        campaigns = campaigns.filter(pk=options["campaign"])
    elif options.get("year"):
        campaigns = campaigns.filter(year=options["year"])
    found = list(campaigns[:2])
    if len(found) != 1:
        raise CommandError(
            "no such campaign" if not found else "several campaigns match: name one with --campaign ID"
        )
    return found[0]
