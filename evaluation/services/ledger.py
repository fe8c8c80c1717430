"""Ledger (台帐) services: filing, appeal, confirmation and voiding of entries."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from evaluation.models import Campaign, Department, LedgerEntry, Unit
from evaluation.services.audit import audit_record, audit_snapshot


class LedgerError(ValueError):
    """A ledger entry that cannot be filed as given; the message names the field and why."""


_AUDIT_FIELDS = ["kind", "rule_key", "quantity", "points", "occurred_on", "source_document", "event_key", "exempt",
                 "joint_role", "note", "department", "status", "void_reason"]


def _audit_state(entry: LedgerEntry) -> dict:
    return {"node": entry.node.code, **audit_snapshot(entry, fields=_AUDIT_FIELDS)}


def _audit_label(entry: LedgerEntry) -> str:
    return f"#{entry.pk} {entry.unit.code} · {entry.node.code} {entry.node.name}"


def _audit_filed(entry: LedgerEntry, actor, imported: bool = False, reason: str | None = None) -> None:
    after = _audit_state(entry)
    if imported:
        after["imported"] = True
    audit_record(tenant=entry.tenant_id, actor=actor, action="ledger.file", obj=entry, after=after,
                 reason=entry.note if reason is None else reason, label=_audit_label(entry))


def _price(node, kind: str, rule_key: str, quantity: Decimal) -> Decimal:
    """Points the leaf's rule attaches to one entry (shown beside it; the engine decides the score)."""
    params = node.params or {}
    for list_name, value_name in (("kinds", "deduction"), ("grades", "deduction"), ("items", "deduction"),
                                  ("kinds", "bonus"), ("levels", "points")):
        for option in params.get(list_name, []) or []:
            if option.get("key") == rule_key and value_name in option:
                # stored to the cent like every score (half-up), the same on SQLite and PostgreSQL
                return (Decimal(str(option[value_name])) * quantity).quantize(Decimal("0.01"), ROUND_HALF_UP)
    raise LedgerError(f"rule_key: {rule_key!r} is not one of the items of {node.code} {node.name}")


@transaction.atomic
def ledger_entry_file(
    *,
    campaign: Campaign,
    unit: Unit,
    node,
    kind: str,
    rule_key: str,
    filed_by,
    occurred_on: dt.date,
    quantity: Decimal = Decimal(1),
    source_document: str = "",
    event_key: str = "",
    exempt: str = "",
    joint_role: str = "",
    note: str = "",
    department: Department | None = None,
    recompute: bool = True,
    reason: str | None = None,
    by_system: bool = False,
) -> LedgerEntry:
    """File one entry against a unit's leaf; the tenant of every object must agree.

    The audit trail records ``reason`` (default: the note) and ``filed_by`` as the actor, or no
    actor when ``by_system`` (a scheduled sweep files it in someone's name).
    """
    if not (campaign.tenant_id == unit.tenant_id == node.tenant_id):
        raise LedgerError("unit: not in this campaign's tenant")
    if node.category.campaign_id != campaign.pk:
        raise LedgerError(f"node: {node.code} is not an indicator of this campaign")
    if not node.is_leaf:
        raise LedgerError(f"node: {node.code} is not a leaf indicator")
    if kind not in LedgerEntry.Kind.values:
        raise LedgerError(f"kind: must be deduction or bonus, not {kind!r}")
    if quantity <= 0:
        raise LedgerError("quantity: must be more than 0")
    points = _price(node, kind, rule_key, quantity)
    entry = LedgerEntry.objects.create(
        tenant_id=campaign.tenant_id,
        campaign=campaign,
        unit=unit,
        node=node,
        kind=kind,
        rule_key=rule_key,
        quantity=quantity,
        points=points,
        occurred_on=occurred_on,
        source_document=source_document,
        event_key=event_key,
        exempt=exempt,
        joint_role=joint_role,
        note=note,
        department=department,
        filed_by=filed_by,
    )
    _audit_filed(entry, None if by_system else filed_by, reason=reason)
    if recompute:
        unit_recompute_schedule(campaign=campaign, unit=unit, actor=filed_by)
    _notify_unit_of_entry(entry)
    return entry


# --- the year's work: recompute hook, notifications, filing by role, appeals, review, import ---


def unit_recompute_schedule(*, campaign: Campaign, unit: Unit, actor=None) -> None:
    """After commit, recompute the unit's results so every change lands in them."""
    from evaluation.services.compute import compute_job_start

    transaction.on_commit(
        lambda: compute_job_start(campaign=campaign, actor=actor, scope="unit", unit=unit)
    )


def campaign_recompute_schedule(*, campaign: Campaign, actor=None) -> None:
    from evaluation.services.compute import compute_job_start

    transaction.on_commit(lambda: compute_job_start(campaign=campaign, actor=actor, scope="campaign"))


def _year_url(name: str, campaign: Campaign, **kwargs) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(f"year:{name}", kwargs={"tenant_slug": campaign.tenant.slug, "campaign_id": campaign.pk, **kwargs})
    except NoReverseMatch:  # the year's pages are not mounted (e.g. a management command context)
        return ""


def _notify_unit_of_entry(entry: LedgerEntry) -> None:
    from django.utils.translation import gettext as _

    from evaluation.services.notifications import liaisons_of, notification_send

    notification_send(
        tenant_id=entry.tenant_id,
        users=liaisons_of(entry.unit),
        kind="ledger_entry",
        message=_("新台帐登记:%(node)s %(kind)s %(points)s 分(%(date)s)。如有异议可在申诉期内申诉。")
        % {"node": entry.node.name, "kind": entry.get_kind_display(), "points": entry.points,
           "date": entry.occurred_on.isoformat()},
        url=_year_url("ledger", entry.campaign),
    )


def ledger_kind_of(node) -> str | None:
    """deduction / bonus for a leaf whose method reads the ledger; None for any other leaf."""
    from evaluation.engine.methods import METHODS

    method = METHODS.get(node.method)
    if method is None or method.input != "ledger":
        return None
    return method.ledger_kind


def _enrolled_leaf_check(campaign: Campaign, unit: Unit, node) -> None:
    from evaluation.models import CampaignUnit

    enrolment = CampaignUnit.objects.filter(campaign=campaign, unit=unit, tenant_id=campaign.tenant_id).first()
    if enrolment is None or enrolment.category_id is None:
        raise LedgerError(f"unit: {unit.code} is not evaluated in this campaign")
    if node.category_id != enrolment.category_id:
        raise LedgerError(f"node: {node.code} is not an indicator of {unit.code}'s category")
    if node.unit_id is not None and node.unit_id != unit.pk:
        raise LedgerError(f"node: {node.code} is another unit's own target")
    if ledger_kind_of(node) is None:
        raise LedgerError(f"node: {node.code} is not scored from ledger entries")


def ledger_entry_file_as(*, membership, campaign: Campaign, unit: Unit, node, rule_key: str,
                         occurred_on: dt.date, quantity: Decimal = Decimal(1), source_document: str = "",
                         event_key: str = "", exempt: str = "", joint_role: str = "", note: str = "",
                         recompute: bool = True, notify: bool = True, files=()) -> LedgerEntry:
    """File an entry on behalf of a member: a data provider only for the leaves it provides.

    ``files`` are evidence already checked by :func:`evaluation.services.evidence.evidence_read`.
    """
    from evaluation.roles import Role
    from evaluation.services.evidence import evidence_attach

    _enrolled_leaf_check(campaign, unit, node)
    department = None
    if membership.role == Role.DATA_PROVIDER:
        if node.provider_id is None or node.provider_id != membership.department_id:
            raise LedgerError(f"node: {node.code} {node.name} is not provided by your department")
        department = membership.department
    if exempt not in LedgerEntry.Exempt.values:
        raise LedgerError(f"exempt: {exempt!r} is not an exemption")
    if joint_role not in LedgerEntry.JointRole.values:
        raise LedgerError(f"joint_role: {joint_role!r} is not a joint role")
    fields = dict(
        campaign=campaign, unit=unit, node=node, rule_key=rule_key, occurred_on=occurred_on, quantity=quantity,
        source_document=source_document, event_key=event_key, exempt=exempt, joint_role=joint_role, note=note,
        department=department,
    )
    with transaction.atomic():
        if notify:
            entry = ledger_entry_file(kind=ledger_kind_of(node), filed_by=membership.user, recompute=recompute, **fields)
        else:
            entry = _file_quietly(membership=membership, **fields)
        for checked in files:
            evidence_attach(checked=checked, campaign=campaign, unit=unit, uploaded_by=membership.user,
                            ledger_entry=entry)
    return entry


def _file_quietly(*, campaign, unit, node, rule_key, membership, occurred_on, quantity, source_document,
                  event_key, exempt, joint_role, note, department) -> LedgerEntry:
    """Like ledger_entry_file, without the per-entry notice and recompute (bulk import does them once)."""
    if quantity <= 0:
        raise LedgerError("quantity: must be more than 0")
    kind = ledger_kind_of(node)
    entry = LedgerEntry.objects.create(
        tenant_id=campaign.tenant_id, campaign=campaign, unit=unit, node=node, kind=kind, rule_key=rule_key,
        quantity=quantity, points=_price(node, kind, rule_key, quantity), occurred_on=occurred_on,
        source_document=source_document, event_key=event_key, exempt=exempt, joint_role=joint_role, note=note,
        department=department, filed_by=membership.user,
    )
    _audit_filed(entry, membership, imported=True)
    return entry


def appeal_deadline(entry: LedgerEntry) -> dt.date:
    from django.utils import timezone

    from evaluation.models import CampaignSettings

    conf = CampaignSettings.objects.filter(campaign_id=entry.campaign_id).first()
    days = conf.appeal_days if conf else CampaignSettings._meta.get_field("appeal_days").default
    return timezone.localdate(entry.filed_at) + dt.timedelta(days=days)


def ledger_entry_can_appeal(entry: LedgerEntry, today: dt.date | None = None) -> bool:
    from django.utils import timezone

    today = today or timezone.localdate()
    return entry.status in (LedgerEntry.Status.FILED, LedgerEntry.Status.CONFIRMED) and today <= appeal_deadline(entry)


@transaction.atomic
def ledger_entry_appeal(*, entry: LedgerEntry, actor, reason: str, files=()):
    """The unit appeals (申诉) an entry against it, within the campaign's appeal window."""
    from django.utils.translation import gettext as _

    from evaluation.models import Appeal
    from evaluation.roles import Role
    from evaluation.services.evidence import evidence_attach
    from evaluation.services.notifications import members_with_role, notification_send

    entry = LedgerEntry.objects.select_for_update().get(pk=entry.pk)
    if not reason.strip():
        raise LedgerError(_("请填写申诉理由。"))
    if entry.status in (LedgerEntry.Status.APPEALED, LedgerEntry.Status.VOIDED):
        raise LedgerError(_("该台帐已在申诉中或已撤销,不能再次申诉。"))
    if not ledger_entry_can_appeal(entry):
        raise LedgerError(_("申诉期已于 %(date)s 结束。") % {"date": appeal_deadline(entry).isoformat()})
    appeal = Appeal.objects.create(
        tenant_id=entry.tenant_id, entry=entry, unit_id=entry.unit_id, reason=reason.strip(), filed_by=actor
    )
    for checked in files:
        evidence_attach(checked=checked, campaign=entry.campaign, unit=entry.unit, uploaded_by=actor, appeal=appeal)
    before = {"status": entry.status}
    entry.status = LedgerEntry.Status.APPEALED
    entry.save(update_fields=["status"])
    audit_record(tenant=entry.tenant_id, actor=actor, action="ledger.appeal", obj=entry, before=before,
                 after={"status": entry.status, "appeal": appeal.pk}, reason=appeal.reason, label=_audit_label(entry))
    notification_send(
        tenant_id=entry.tenant_id,
        users=members_with_role(entry.tenant_id, Role.OFFICE_ADMIN),
        kind="appeal_filed",
        message=_("%(unit)s 对台帐 #%(id)s(%(node)s)提出申诉。") % {"unit": entry.unit.name, "id": entry.pk,
                                                               "node": entry.node.name},
        url=_year_url("ledger", entry.campaign),
    )
    return appeal


def _decide_appeals(entry: LedgerEntry, actor, status: str, reason: str) -> int:
    from django.utils import timezone

    from evaluation.models import Appeal

    return Appeal.objects.filter(entry=entry, status=Appeal.Status.PENDING).update(
        status=status, decision_reason=reason, decided_by=actor, decided_at=timezone.now()
    )


def _notify_decision(entry: LedgerEntry, text: str) -> None:
    from evaluation.services.notifications import liaisons_of, notification_send

    notification_send(tenant_id=entry.tenant_id, users=liaisons_of(entry.unit), kind="ledger_decision",
                      message=text, url=_year_url("ledger", entry.campaign))


@transaction.atomic
def ledger_entry_confirm(*, entry: LedgerEntry, actor, reason: str = "") -> LedgerEntry:
    """The office confirms an entry (确认); a pending appeal is rejected with the reason."""
    from django.utils.translation import gettext as _

    from evaluation.models import Appeal

    entry = LedgerEntry.objects.select_for_update().select_related("unit", "node", "campaign").get(pk=entry.pk)
    if entry.status == LedgerEntry.Status.VOIDED:
        raise LedgerError(_("已撤销的台帐不能再确认。"))
    before = {"status": entry.status}
    appealed = _decide_appeals(entry, actor, Appeal.Status.REJECTED, reason.strip())
    entry.status = LedgerEntry.Status.CONFIRMED
    entry.save(update_fields=["status"])
    after = {"status": entry.status, **({"appeal": Appeal.Status.REJECTED.value} if appealed else {})}
    audit_record(tenant=entry.tenant_id, actor=actor, action="ledger.confirm", obj=entry, before=before, after=after,
                 reason=reason, label=_audit_label(entry))
    if appealed:
        _notify_decision(entry, _("申诉处理结果:台帐 #%(id)s(%(node)s)维持原登记。%(reason)s")
                         % {"id": entry.pk, "node": entry.node.name, "reason": reason.strip()})
    return entry


@transaction.atomic
def ledger_entry_void(*, entry: LedgerEntry, actor, reason: str) -> LedgerEntry:
    """The office voids an entry (撤销): it stays on record with the reason and stops counting."""
    from django.utils.translation import gettext as _

    from evaluation.models import Appeal

    if not reason.strip():
        raise LedgerError(_("撤销台帐必须填写理由。"))
    entry = LedgerEntry.objects.select_for_update().select_related("unit", "node", "campaign").get(pk=entry.pk)
    if entry.status == LedgerEntry.Status.VOIDED:
        raise LedgerError(_("该台帐已撤销。"))
    before = {"status": entry.status, "void_reason": entry.void_reason}
    appealed = _decide_appeals(entry, actor, Appeal.Status.UPHELD, reason.strip())
    entry.status = LedgerEntry.Status.VOIDED
    entry.void_reason = reason.strip()
    entry.save(update_fields=["status", "void_reason"])
    after = {"status": entry.status, "void_reason": entry.void_reason,
             **({"appeal": Appeal.Status.UPHELD.value} if appealed else {})}
    audit_record(tenant=entry.tenant_id, actor=actor, action="ledger.void", obj=entry, before=before, after=after,
                 reason=entry.void_reason, label=_audit_label(entry))
    unit_recompute_schedule(campaign=entry.campaign, unit=entry.unit, actor=actor)
    _notify_decision(entry, _("台帐 #%(id)s(%(node)s)已撤销:%(reason)s")
                     % {"id": entry.pk, "node": entry.node.name, "reason": entry.void_reason})
    return entry


# --- bulk import of a provider's monthly sheet (月度台帐表) ---

IMPORT_COLUMNS = ["单位代码", "指标编号", "计分事项", "数量", "日期", "来源文号", "事项标识", "免扣", "联办", "说明"]
_EXEMPT_WORDS = {"": "", "否": "", "自行查处": "self_reported", "主动报告": "self_reported",
                 "self_reported": "self_reported", "自查自纠": "self_corrected", "self_corrected": "self_corrected"}
_JOINT_WORDS = {"": "", "否": "", "主办": "lead", "主办单位": "lead", "lead": "lead",
                "联办": "co", "联办单位": "co", "co": "co"}


class LedgerImportError(ValueError):
    """An import refused whole; ``errors`` lists (row number, message)."""

    def __init__(self, errors: list[tuple[int, str]]):
        super().__init__(f"{len(errors)} rows refused")
        self.errors = errors


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _cell_decimal(value) -> Decimal:
    from decimal import InvalidOperation

    text = _cell_text(value) or "1"
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise LedgerError(f"数量: {text!r} 不是数字") from exc


def _cell_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _cell_text(value)
    try:
        return dt.date.fromisoformat(text.replace("/", "-"))
    except ValueError as exc:
        raise LedgerError(f"日期: {text!r} 不是日期(如 2026-03-05)") from exc


def ledger_import_template() -> bytes:
    from io import BytesIO

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "台帐"
    sheet.append(IMPORT_COLUMNS)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def ledger_import(*, membership, campaign: Campaign, content: bytes) -> list[LedgerEntry]:
    """Import a monthly Excel sheet: every row is checked; one bad row and nothing is imported."""
    from io import BytesIO

    from django.utils.translation import gettext as _
    from openpyxl import load_workbook

    from evaluation.models import CampaignUnit
    from indicators.models import IndicatorNode

    try:
        book = load_workbook(BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise LedgerImportError([(0, _("不是有效的 Excel(.xlsx)文件。"))]) from exc
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    if not rows or [_cell_text(c) for c in rows[0][: len(IMPORT_COLUMNS)]] != IMPORT_COLUMNS:
        raise LedgerImportError([(1, _("表头应为:%(cols)s") % {"cols": " | ".join(IMPORT_COLUMNS)})])
    units = {u.unit.code: u.unit for u in CampaignUnit.objects.filter(campaign=campaign).select_related("unit")}
    leaves = {}
    for node in IndicatorNode.objects.filter(category__campaign=campaign, tenant_id=campaign.tenant_id).exclude(method=""):
        leaves.setdefault(node.code, []).append(node)
    errors: list[tuple[int, str]] = []
    entries: list[LedgerEntry] = []
    touched: set[int] = set()
    with transaction.atomic():
        for number, row in enumerate(rows[1:], start=2):
            cells = list(row) + [None] * (len(IMPORT_COLUMNS) - len(row))
            if all(_cell_text(c) == "" for c in cells[: len(IMPORT_COLUMNS)]):
                continue
            unit_code, leaf_code, rule_key, quantity, date, source, event, exempt, joint, note = cells[:10]
            try:
                unit = units.get(_cell_text(unit_code))
                if unit is None:
                    raise LedgerError(f"单位代码: {_cell_text(unit_code)!r} 不是本方案的被考评单位")
                candidates = [n for n in leaves.get(_cell_text(leaf_code), []) if n.unit_id in (None, unit.pk)]
                enrolment_category = next(
                    (c.category_id for c in CampaignUnit.objects.filter(campaign=campaign, unit=unit)), None
                )
                node = next((n for n in candidates if n.category_id == enrolment_category), None)
                if node is None:
                    raise LedgerError(f"指标编号: {_cell_text(leaf_code)!r} 不是该单位的末级指标")
                exempt_key = _EXEMPT_WORDS.get(_cell_text(exempt))
                if exempt_key is None:
                    raise LedgerError(f"免扣: {_cell_text(exempt)!r} 应为 空/自行查处/自查自纠")
                joint_key = _JOINT_WORDS.get(_cell_text(joint))
                if joint_key is None:
                    raise LedgerError(f"联办: {_cell_text(joint)!r} 应为 空/主办/联办")
                with transaction.atomic():
                    entries.append(
                        ledger_entry_file_as(
                            membership=membership, campaign=campaign, unit=unit, node=node,
                            rule_key=_cell_text(rule_key), occurred_on=_cell_date(date),
                            quantity=_cell_decimal(quantity), source_document=_cell_text(source),
                            event_key=_cell_text(event), exempt=exempt_key, joint_role=joint_key,
                            note=_cell_text(note), recompute=False, notify=False,
                        )
                    )
                touched.add(unit.pk)
            except LedgerError as exc:
                errors.append((number, str(exc)))
        if not entries and not errors:
            errors.append((0, _("表中没有数据行。")))
        if errors:
            transaction.set_rollback(True)
            raise LedgerImportError(errors)
        _notify_import(campaign, entries)
        campaign_recompute_schedule(campaign=campaign, actor=membership.user)
    return entries


def _notify_import(campaign: Campaign, entries: list[LedgerEntry]) -> None:
    from collections import Counter

    from django.utils.translation import gettext as _

    from evaluation.services.notifications import liaisons_of, notification_send

    per_unit = Counter(entry.unit_id for entry in entries)
    units = {entry.unit_id: entry.unit for entry in entries}
    for unit_id, count in per_unit.items():
        notification_send(
            tenant_id=campaign.tenant_id, users=liaisons_of(units[unit_id]), kind="ledger_entry",
            message=_("新台帐登记 %(n)s 条(批量导入)。如有异议可在申诉期内申诉。") % {"n": count},
            url=_year_url("ledger", campaign),
        )
