from django.utils.translation import gettext_lazy as _

from evaluation.navigation import NavItem

NAV_ITEMS = [
    NavItem(_("考评方案"), "indicators:campaigns", "scheme.view", 10),
    NavItem(_("方案模板"), "indicators:templates", "campaign.manage", 85),
]
