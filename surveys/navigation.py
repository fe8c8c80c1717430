from django.utils.translation import gettext_lazy as _

from evaluation.navigation import NavItem

NAV_ITEMS = [NavItem(_("测评"), "surveys:index", "survey.results", 40)]
