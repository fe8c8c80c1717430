from django.utils.translation import gettext_lazy as _

from evaluation.navigation import NavItem

NAV_ITEMS = [
    NavItem(_("察访"), "inspections:app", "inspection.visit", 30),
    NavItem(_("察访与投诉"), "inspections:office", "inspection.manage", 40),
    NavItem(_("察访问题"), "inspections:unit_findings", "inspection.view_own", 41),
    NavItem(_("投诉件办理"), "inspections:unit_complaints", "complaint.handle", 42),
    NavItem(_("察访通报"), "inspections:bulletins", "bulletin.download", 43),
]
