"""The navigation each role sees: items come from every app's ``navigation.NAV_ITEMS``.

An item is (label, url name, action); it shows when the membership's role may do the action,
so the menu and the permission table can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    action: str
    order: int = 50


NAV_ITEMS = [
    NavItem(_("首页"), "evaluation:tenant_home", "tenant.view", 0),
    NavItem(_("年度工作"), "year:index", "campaign.view", 20),
    NavItem(_("消息"), "year:notifications", "notifications.view", 85),
    NavItem(_("人员与角色"), "evaluation:members", "membership.view", 90),
    NavItem(_("审计日志"), "evaluation:audit", "audit.view", 95),
]


def _all_items() -> list[NavItem]:
    items: list[NavItem] = []
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.navigation")
        except ModuleNotFoundError:
            continue
        items.extend(getattr(module, "NAV_ITEMS", []))
    return sorted(items, key=lambda item: item.order)


def nav_for(membership) -> list[dict]:
    if membership is None:
        return []
    entries = []
    for item in _all_items():
        if not membership.can(item.action):
            continue
        try:
            url = reverse(item.url_name, kwargs={"tenant_slug": membership.tenant.slug})
        except NoReverseMatch:
            continue
        entries.append({"label": item.label, "url": url})
    return entries
