"""Reading the audit trail (审计日志): the office's filtered list, its readable diffs and exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluation.models import AuditEvent, Membership
from evaluation.roles import Role

#: action code → what people read; the family is the part before the dot
ACTION_LABELS = {
    "scheme.import": gettext_lazy("导入方案"),
    "scheme.node_create": gettext_lazy("新增指标"),
    "scheme.node_update": gettext_lazy("修改指标"),
    "scheme.node_move": gettext_lazy("调整指标顺序"),
    "scheme.node_delete": gettext_lazy("删除指标"),
    "scheme.rules_update": gettext_lazy("修改汇总与评定规则"),
    "scheme.category_create": gettext_lazy("新增类别"),
    "scheme.enrolment_set": gettext_lazy("调整参评单位"),
    "ledger.file": gettext_lazy("登记台帐"),
    "ledger.appeal": gettext_lazy("台帐申诉"),
    "ledger.confirm": gettext_lazy("确认台帐"),
    "ledger.void": gettext_lazy("撤销台帐"),
    "assessment.score": gettext_lazy("考评组评分"),
    "assessment.reconcile": gettext_lazy("评分协调"),
    "self.save": gettext_lazy("填写自评"),
    "self.submit": gettext_lazy("提交自评"),
    "self.reopen": gettext_lazy("退回自评"),
    "targets.submit": gettext_lazy("提交细化指标"),
    "targets.approve": gettext_lazy("批准细化指标"),
    "targets.return": gettext_lazy("退回细化指标"),
    "measure.set": gettext_lazy("录入完成值"),
    "veto.decide": gettext_lazy("一票否决签署"),
    "inspection.visit": gettext_lazy("登记察访"),
    "inspection.finding_confirmed": gettext_lazy("确认察访问题"),
    "inspection.finding_rejected": gettext_lazy("不予认定察访问题"),
    "inspection.appeal": gettext_lazy("察访问题申诉"),
    "inspection.appeal_decide": gettext_lazy("处理察访申诉"),
    "survey.paper_sheet": gettext_lazy("录入纸质问卷"),
    "survey.paper_resolve": gettext_lazy("核对纸质问卷"),
    "survey.paper_batch_close": gettext_lazy("完成批次录入"),
    "campaign.import": gettext_lazy("从备份导入考评"),
    "compute.request": gettext_lazy("请求计算"),
    "compute.revision": gettext_lazy("生成结果版本"),
    "publication.submit": gettext_lazy("报送审定"),
    "publication.correct": gettext_lazy("报送更正"),
    "publication.approve": gettext_lazy("审定结果"),
    "publication.withdraw": gettext_lazy("撤回报送"),
    "publication.publish": gettext_lazy("公布结果"),
}

FAMILIES = {
    "scheme": gettext_lazy("考评方案"),
    "ledger": gettext_lazy("台帐"),
    "assessment": gettext_lazy("考评组评分"),
    "self": gettext_lazy("自评"),
    "targets": gettext_lazy("指标细化"),
    "measure": gettext_lazy("完成值"),
    "veto": gettext_lazy("一票否决"),
    "inspection": gettext_lazy("明察暗访"),
    "survey": gettext_lazy("问卷录入"),
    "campaign": gettext_lazy("考评备份"),
    "compute": gettext_lazy("结果计算"),
    "publication": gettext_lazy("结果发布"),
}

PAGE_SIZE = 50
_MAX_ID = 2**63 - 1


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def role_label(role: str) -> str:
    return str(Role(role).label) if role in Role.values else role


def actor_label(event: AuditEvent) -> str:
    return event.actor_name or _("系统")


@dataclass(frozen=True)
class AuditFilters:
    """What the office narrows the trail to; every field optional."""

    campaign_id: int | None = None
    unit_id: int | None = None
    family: str = ""
    action: str = ""
    actor_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    @classmethod
    def from_query(cls, query: Mapping[str, Any]) -> AuditFilters:
        """Read GET parameters; a value that does not parse is ignored, never an error page."""
        family = str(query.get("family") or "")
        action = str(query.get("action") or "")
        return cls(
            campaign_id=_int(query.get("campaign")),
            unit_id=_int(query.get("unit")),
            family=family if family in FAMILIES else "",
            action=action if action in ACTION_LABELS else "",
            actor_id=_int(query.get("actor")),
            date_from=_date(query.get("from")),
            date_to=_date(query.get("to")),
        )

    def as_query(self) -> dict[str, str]:
        pairs = {
            "campaign": self.campaign_id, "unit": self.unit_id, "family": self.family, "action": self.action,
            "actor": self.actor_id, "from": self.date_from, "to": self.date_to,
        }
        return {key: str(value) for key, value in pairs.items() if value not in (None, "")}


def _int(value) -> int | None:
    text = str(value or "").strip()
    if not text.isdigit() or int(text) > _MAX_ID:
        return None
    return int(text)


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


def audit_events_for(membership: Membership) -> QuerySet[AuditEvent]:
    """The tenant's whole trail, newest first (the office's view: audit.view is the office's)."""
    return (
        AuditEvent.objects.filter(tenant_id=membership.tenant_id)
        .select_related("campaign", "unit")
        .order_by("-at", "-id")
    )


def audit_events_filtered(queryset: QuerySet[AuditEvent], filters: AuditFilters) -> QuerySet[AuditEvent]:
    if filters.campaign_id is not None:
        queryset = queryset.filter(campaign_id=filters.campaign_id)
    if filters.unit_id is not None:
        queryset = queryset.filter(unit_id=filters.unit_id)
    if filters.action:
        queryset = queryset.filter(action=filters.action)
    elif filters.family:
        queryset = queryset.filter(action__startswith=f"{filters.family}.")
    if filters.actor_id is not None:
        queryset = queryset.filter(actor_id=filters.actor_id)
    zone = timezone.get_current_timezone()
    if filters.date_from is not None:
        queryset = queryset.filter(at__gte=dt.datetime.combine(filters.date_from, dt.time.min, tzinfo=zone))
    if filters.date_to is not None and filters.date_to < dt.date.max:
        next_day = filters.date_to + dt.timedelta(days=1)
        queryset = queryset.filter(at__lt=dt.datetime.combine(next_day, dt.time.min, tzinfo=zone))
    return queryset


# --- readable diffs ---


@dataclass(frozen=True)
class Change:
    key: str
    before: str
    after: str


_ABSENT = object()


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested dicts become dotted keys, so a change deep inside shows as one line."""
    if isinstance(value, Mapping) and value:
        out: dict[str, Any] = {}
        for key, inner in value.items():
            out.update(_flatten(inner, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix or "·": value}


def display_value(value: Any) -> str:
    if value is _ABSENT or value is None or value == "":
        return "—"
    if value is True:
        return _("是")
    if value is False:
        return _("否")
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def audit_changes(event: AuditEvent) -> list[Change]:
    """The keys whose value differs between ``before`` and ``after``, in a stable order; an
    empty field of something created or removed ("—" → "—") is no change to show."""
    before = _flatten(event.before) if event.before is not None else {}
    after = _flatten(event.after) if event.after is not None else {}
    changes = []
    for key in dict.fromkeys([*before, *after]):
        old, new = before.get(key, _ABSENT), after.get(key, _ABSENT)
        if old == new:
            continue
        shown = Change(key, display_value(old), display_value(new))
        if shown.before != shown.after:
            changes.append(shown)
    return changes


def changes_text(changes: Iterable[Change]) -> str:
    return "\n".join(f"{c.key}: {c.before} → {c.after}" for c in changes)


# --- exports ---

EXPORT_COLUMNS = [
    gettext_lazy("时间"), gettext_lazy("操作人"), gettext_lazy("角色"), gettext_lazy("操作"), gettext_lazy("代码"),
    gettext_lazy("考评方案"), gettext_lazy("单位"), gettext_lazy("对象"), gettext_lazy("变更"), gettext_lazy("理由"),
    gettext_lazy("变更前"), gettext_lazy("变更后"),
]


def _formula_safe(text: str) -> str:
    """A cell that starts like a formula is read as text by Excel (CSV / formula injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_rows(queryset: QuerySet[AuditEvent]) -> Iterable[list[str]]:
    zone = timezone.get_current_timezone()
    for event in queryset.iterator(chunk_size=2000):
        yield [_formula_safe(text) for text in (
            timezone.localtime(event.at, zone).strftime("%Y-%m-%d %H:%M:%S"),
            actor_label(event),
            role_label(event.actor_role),
            action_label(event.action),
            event.action,
            event.campaign.title if event.campaign_id else "",
            f"{event.unit.code} {event.unit.name}" if event.unit_id else "",
            event.object_label,
            changes_text(audit_changes(event)),
            event.reason,
            json.dumps(event.before, ensure_ascii=False) if event.before is not None else "",
            json.dumps(event.after, ensure_ascii=False) if event.after is not None else "",
        )]


def audit_csv(queryset: QuerySet[AuditEvent]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(c) for c in EXPORT_COLUMNS])
    writer.writerows(export_rows(queryset))
    # the byte-order mark makes Excel open the UTF-8 file as UTF-8
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def audit_workbook(queryset: QuerySet[AuditEvent]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("审计日志"))
    for index, width in enumerate((20, 14, 14, 16, 24, 24, 20, 30, 50, 30, 40, 40), start=1):
        sheet.column_dimensions[chr(64 + index)].width = width
    bold = Font(bold=True)
    header = []
    for title in EXPORT_COLUMNS:
        cell = WriteOnlyCell(sheet, value=str(title))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in export_rows(queryset):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def last_change_of(obj) -> AuditEvent | None:
    """The newest event recorded on one object (who last changed it, and when)."""
    return (
        AuditEvent.objects.filter(
            tenant_id=obj.tenant_id, object_type=obj._meta.label_lower, object_id=str(obj.pk)
        )
        .order_by("-at", "-pk")
        .first()
    )
