from django.utils.translation import gettext_lazy as _

from evaluation.navigation import NavItem

NAV_ITEMS = [NavItem(_("结果与通报"), "reporting:home", "results.view_own", 60)]
