"""Backup and restore of one campaign (考评方案的备份与恢复): one archive, an exact round trip.

``campaign_export`` writes one zip archive: ``manifest.json`` (format, the database schema as
applied migrations, the source, row counts and the sha256 of every other member),
``data/<app.Model>.jsonl`` (one row per line, every field, foreign keys as the source's primary
keys) and ``files/<storage name>`` (every file a row names). ``campaign_import`` checks the whole
archive before it writes anything, then inserts it into a target tenant in one transaction, with
new primary keys for every row.

What goes in is found by introspection, so a new model cannot be forgotten: every tenant-owned
model with a foreign-key path to ``Campaign`` is part of the campaign; units, departments,
memberships and people are matched in the target (``REFERENCE_KEYS``); anything else must be
listed in ``EXCLUDED`` with its reason, and the tests fail until it is. docs/backup.md explains
each decision.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import secrets
import uuid
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from evaluation.models import Campaign, Tenant, TenantOwned

FORMAT = "kaoping-campaign-archive"
VERSION = 1
PROJECT_APPS = ("evaluation", "indicators", "surveys", "inspections", "reporting")
CAMPAIGN = "evaluation.Campaign"
MANIFEST = "manifest.json"

# --- decisions: each one says what happens and why; the tests hold every model to one ----------

# Tenant-level rows a campaign needs, matched in the target tenant by these fields: an existing
# row is reused as it is (never overwritten), a missing one is created from the archive.
REFERENCE_KEYS: dict[str, tuple[str, ...]] = {
    "evaluation.Unit": ("code",),
    "evaluation.Department": ("code",),
    "evaluation.Membership": ("user",),
}

# Tenant-owned models that are no part of a campaign's archive, and why.
EXCLUDED: dict[str, str] = {
    "evaluation.Notification": "a person's inbox (消息提醒): messages about the moment they were sent, with links "
    "into the source tenant; nothing reads them as campaign data",
}

# Foreign keys to a row outside the archive, written as that row's natural key and relinked to
# the target tenant's row with the same key (null when there is none).
NATURAL_KEY_FKS: dict[tuple[str, str], tuple[str, ...]] = {
    ("evaluation.Campaign", "cloned_from"): ("year", "name"),
}

# Insertion order the foreign keys do not show. A published publication freezes its revision's
# unit results at the database (reporting migration 0002 refuses even an INSERT), so the results
# must be in before the publication that freezes them.
INSERT_AFTER: dict[str, tuple[str, ...]] = {
    "reporting.Publication": ("evaluation.UnitResult",),
}


def _remap_keying_answers(value, lookup):
    """A double-entry keying's ``{question id: option id}`` (or a staged e-poll ballot's): the
    office's resolution (the filing) turns it into answers, so the ids are live and must follow
    the rows."""
    return {
        str(lookup("surveys.Question", int(question))): lookup("surveys.AnswerOption", option)
        for question, option in value.items()
    }


# JSON fields holding ids that code follows: rewritten with the new ids.
REMAPPED_JSON: dict[tuple[str, str], Callable] = {
    ("surveys.PaperKeying", "answers"): _remap_keying_answers,
    ("surveys.StagedBallot", "ratings"): _remap_keying_answers,  # the same {question id: option id}
}

_RESULT_RECORD = (
    "a record of what was computed and published: kept as written, with the source's ledger and "
    "visit numbers it quotes (台帐 #N), as the published bulletin files print them"
)
# JSON fields copied as written, and why.
VERBATIM_JSON: dict[tuple[str, str], str] = {
    ("evaluation.ResultRevision", "scheme"): _RESULT_RECORD,
    ("evaluation.ResultRevision", "category_fingerprints"): "hashes of the inputs as computed; a recompute "
    "in the target compares against them",
    ("evaluation.UnitResult", "missing"): _RESULT_RECORD,
    ("evaluation.UnitResult", "components"): _RESULT_RECORD,
    ("evaluation.UnitResult", "nodes"): _RESULT_RECORD,
    ("evaluation.UnitResult", "explanation"): _RESULT_RECORD,
    ("evaluation.UnitResult", "standing"): _RESULT_RECORD,
    ("evaluation.TargetRound", "items"): "a snapshot of what was submitted in that round; no code follows its item ids",
    ("evaluation.LeafMeasure", "items"): "checklist item keys of the scheme, no ids",
    ("evaluation.AuditEvent", "before"): "the audit trail records what was true then, ids included",
    ("evaluation.AuditEvent", "after"): "the audit trail records what was true then, ids included",
    ("indicators.IndicatorNode", "params"): "scoring parameters: rule keys and numbers, no ids",
    ("indicators.CategoryRules", "components"): "the formula: component keys and sources, no ids",
    ("indicators.CategoryRules", "grading"): "grade names and thresholds, no ids",
    ("indicators.CategoryRules", "veto"): "veto rule numbers, no ids",
    ("indicators.CategoryRules", "tie_break"): "tie-break keys, no ids",
    ("indicators.CategoryRules", "joint_split"): "shares, no ids",
    ("indicators.CategoryRules", "survey_options"): "answer labels and points, no ids",
    ("inspections.Visit", "conflicts"): "messages and catalogue codes shown with the visit, no ids",
}

# (type field, id field) pairs naming any row: the id follows the row when the archive carries
# it, and is blanked when the row is gone (a stale id could name an unrelated row in the target).
# These models are inserted last, once every row they can name has its new id.
GENERIC_POINTERS: dict[str, tuple[str, str]] = {
    "evaluation.AuditEvent": ("object_type", "object_id"),
}

# Values that must be unique in the target (the whole database or the tenant): kept when free
# there, regenerated when taken. UUID fields and fields with a callable default need no entry.
FRESH_VALUES: dict[tuple[str, str], Callable[[], Any]] = {
    ("surveys.BallotToken", "token"): lambda: secrets.token_urlsafe(18),
}

# Rows whose unfinished state would be wrong in a copy (no worker will ever finish them there).
UNFINISHED: dict[str, tuple[str, tuple[str, ...]]] = {
    "evaluation.ComputeJob": ("status", ("created", "running")),
    "reporting.BulletinJob": ("status", ("created", "running")),
}

_SCALAR_TYPES = {
    "AutoField", "BigAutoField", "SmallAutoField", "BigIntegerField", "BooleanField", "CharField", "DateField",
    "DateTimeField", "DecimalField", "DurationField", "EmailField", "FileField", "FloatField",
    "GenericIPAddressField", "ImageField", "IntegerField", "JSONField", "PositiveBigIntegerField",
    "PositiveIntegerField", "PositiveSmallIntegerField", "SlugField", "SmallIntegerField", "TextField",
    "TimeField", "URLField", "UUIDField",
}
_USER_FIELDS = ("first_name", "last_name", "email", "is_active")


class BackupError(Exception):
    """An export or import that cannot be done; the message says why and what to do."""


def _quiet(message: str) -> None:
    pass


# --- the plan: which models, in which order, with which fields ----------------------------------


@dataclass
class ModelPlan:
    model: type[models.Model]
    label: str
    role: str  # "root" (the campaign), "owned" (copied with new ids) or "reference" (matched)
    paths: list[str] = field(default_factory=list)  # lookups from the model to its campaign
    fields: list[models.Field] = field(default_factory=list)  # every concrete field but pk and tenant
    relations: dict[str, str] = field(default_factory=dict)  # field name -> label of the row it names
    natural: dict[str, tuple[str, ...]] = field(default_factory=dict)  # field name -> natural key
    files: list[str] = field(default_factory=list)
    fresh: dict[str, tuple[str, Callable[[], Any]]] = field(default_factory=dict)  # name -> (scope, make)

    @property
    def self_fks(self) -> list[str]:
        return [name for name, target in self.relations.items() if target == self.label]


@dataclass
class BackupPlan:
    models: dict[str, ModelPlan]
    order: list[str]  # owned models in insertion order, the campaign first
    references: list[str]  # reference models in insertion order
    user_label: str
    problems: list[str]  # the archive could not be right: exports and imports refuse
    unclassified: list[str]  # a decision is missing above: the tests refuse

    @property
    def labels(self) -> list[str]:
        return [self.user_label, *self.references, *self.order]


def _label(model) -> str:
    return model._meta.label


def _is_auto(pk: models.Field) -> bool:
    return isinstance(pk, models.AutoField | models.BigAutoField | models.SmallAutoField)


def _fk_fields(model) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f.is_relation and (f.many_to_one or f.one_to_one)]


def _toposort(labels: list[str], edges: dict[str, set[str]], what: str) -> list[str]:
    """Labels so that each comes after those it depends on (alphabetical among equals)."""
    remaining = {label: {d for d in edges.get(label, ()) if d in labels and d != label} for label in labels}
    order: list[str] = []
    while remaining:
        ready = sorted(label for label, deps in remaining.items() if not deps)
        if not ready:
            raise BackupError(f"{what}: the foreign keys form a cycle among {sorted(remaining)}")
        for label in ready:
            order.append(label)
            del remaining[label]
        for deps in remaining.values():
            deps.difference_update(ready)
    return order


def backup_plan() -> BackupPlan:
    """Classify every model of the project's apps and order the campaign's models for insertion."""
    user_label = _label(get_user_model())
    project = [m for m in apps.get_models() if m._meta.app_label in PROJECT_APPS]
    problems: list[str] = []
    unclassified: list[str] = []
    for model in project:
        label = _label(model)
        if model is not Tenant and not issubclass(model, TenantOwned) and label not in EXCLUDED:
            unclassified.append(f"{label} is not tenant-owned: list it in EXCLUDED with a reason or make it tenant-owned")
    owned_candidates = {
        _label(m): m
        for m in project
        if issubclass(m, TenantOwned) and _label(m) not in REFERENCE_KEYS and _label(m) not in EXCLUDED
    }

    def paths_of(label: str, visiting: frozenset[str]) -> list[tuple[bool, str]]:
        """(nullable, lookup) of each way from the model to its campaign, best first: one way
        per foreign key, the shortest of those that never pass a null."""
        if label == CAMPAIGN:
            return [(False, "")]
        found = []
        for f in _fk_fields(owned_candidates[label]):
            target = _label(f.related_model)
            if (
                (label, f.name) in NATURAL_KEY_FKS
                or target not in owned_candidates
                or target == label
                or target in visiting
            ):
                continue
            rest = paths_of(target, visiting | {label})
            if rest:
                nullable, lookup = rest[0]
                found.append((nullable or f.null, f.name + (f"__{lookup}" if lookup else "")))
        return sorted(found, key=lambda p: (p[0], p[1].count("__"), p[1]))

    def campaign_lookups(label: str) -> list[str]:
        # A way without nulls reaches every row; otherwise every nullable way is needed.
        # _Exporter._checked then proves that every row an archived row names came along.
        found = paths_of(label, frozenset())
        if found and not found[0][0]:
            return [found[0][1]]
        return [lookup for _nullable, lookup in found]

    plans: dict[str, ModelPlan] = {}
    for label, model in owned_candidates.items():
        paths = campaign_lookups(label)
        if not paths:
            unclassified.append(
                f"{label} is tenant-owned but has no foreign-key path to a campaign: list it in EXCLUDED "
                "or REFERENCE_KEYS (evaluation/services/backup.py) with a reason"
            )
            continue
        plans[label] = ModelPlan(model, label, "root" if label == CAMPAIGN else "owned", paths=paths)
    for label in REFERENCE_KEYS:
        plans[label] = ModelPlan(apps.get_model(label), label, "reference")
    for mp in plans.values():
        _plan_fields(mp, plans, user_label, problems, unclassified)

    owned = [label for label, mp in plans.items() if mp.role != "reference"]
    edges: dict[str, set[str]] = defaultdict(set)
    for label in owned:
        edges[label].update(t for t in plans[label].relations.values() if t in owned)
        edges[label].update(INSERT_AFTER.get(label, ()))
        if label in GENERIC_POINTERS:  # after every row it may name
            edges[label].update(o for o in owned if o not in GENERIC_POINTERS)
    references = list(REFERENCE_KEYS)
    ref_edges = {label: set(plans[label].relations.values()) for label in references}
    try:
        order = _toposort(owned, edges, "campaign models")
        references = _toposort(references, ref_edges, "reference models")
    except BackupError as exc:
        problems.append(str(exc))
        order = sorted(owned)
    return BackupPlan(plans, order, references, user_label, problems, unclassified)


def _plan_fields(mp: ModelPlan, plans: dict[str, ModelPlan], user_label: str, problems: list, unclassified: list):
    label = mp.label
    for f in mp.model._meta.get_fields():
        if f.many_to_many and f.concrete:
            problems.append(f"{label}.{f.name}: many-to-many fields are not supported by the archive")
    for f in mp.model._meta.concrete_fields:
        if f.primary_key:
            if not _is_auto(f) and not callable(f.default):
                problems.append(f"{label}: its primary key has no default to make a new one from")
            continue
        if f.name == "tenant":
            continue
        if f.is_relation:
            target = _label(f.related_model)
            if (label, f.name) in NATURAL_KEY_FKS:
                mp.natural[f.name] = NATURAL_KEY_FKS[(label, f.name)]
            elif f.related_model is Tenant:
                problems.append(f"{label}.{f.name}: only the tenant field may name a tenant")
                continue
            elif target == user_label or target in REFERENCE_KEYS or (
                mp.role != "reference" and target in plans and plans[target].role != "reference"
            ):
                mp.relations[f.name] = target
            else:
                problems.append(f"{label}.{f.name} names {target}, which the archive neither carries nor matches")
                continue
        elif f.get_internal_type() not in _SCALAR_TYPES:
            problems.append(f"{label}.{f.name}: field type {f.get_internal_type()} is not supported by the archive")
            continue
        elif isinstance(f, models.JSONField) and (label, f.name) not in REMAPPED_JSON | VERBATIM_JSON:
            unclassified.append(
                f"{label}.{f.name} is JSON: list it in REMAPPED_JSON (ids that code follows) or VERBATIM_JSON"
            )
        elif isinstance(f, models.FileField):
            mp.files.append(f.name)
        mp.fields.append(f)
    if mp.role == "owned":
        _plan_fresh(mp, {label for label, p in plans.items() if p.role != "reference"}, unclassified)


def _fresh_maker(mp: ModelPlan, f: models.Field) -> Callable[[], Any] | None:
    if (mp.label, f.name) in FRESH_VALUES:
        return FRESH_VALUES[(mp.label, f.name)]
    if f.has_default() and callable(f.default):
        return f.default
    if isinstance(f, models.UUIDField):
        return uuid.uuid4
    return None


def _plan_fresh(mp: ModelPlan, owned: set[str], unclassified: list) -> None:
    """Scalar values unique in the database or the tenant collide with the source's own rows when
    the target is the same database: find them, and how to make a new one."""
    by_name = {f.name: f for f in mp.model._meta.concrete_fields}
    wanted: dict[str, str] = {}
    for f in mp.fields:
        if f.unique and not f.is_relation:
            wanted[f.name] = "database"
    groups = [tuple(c.fields) for c in mp.model._meta.constraints if isinstance(c, models.UniqueConstraint)]
    groups += [tuple(g) for g in mp.model._meta.unique_together]
    for names in groups:
        if any(mp.relations.get(n) in owned for n in names):
            continue  # includes a row copied with a new id: unique by construction
        scalars = [n for n in names if n != "tenant" and not by_name[n].is_relation]
        if len(scalars) != 1:
            unclassified.append(f"{mp.label}: unique {names} may collide in the target; decide how to renew it")
            continue
        wanted.setdefault(scalars[0], "tenant" if "tenant" in names else "database")
    for name, scope in wanted.items():
        make = _fresh_maker(mp, by_name[name])
        if make is None:
            unclassified.append(f"{mp.label}.{name} must be unique in the target: add a maker to FRESH_VALUES")
        else:
            mp.fresh[name] = (scope, make)


def schema_state(app_labels) -> dict[str, list[str]]:
    """The migrations applied to this database, per app."""
    applied = MigrationRecorder(connection).applied_migrations()
    return {app: sorted(name for a, name in applied if a == app) for app in sorted(app_labels)}


def _schema_apps(plan: BackupPlan) -> set[str]:
    return {plan.models[label].model._meta.app_label for label in plan.models} | {plan.user_label.split(".")[0]}


# --- encoding -------------------------------------------------------------------------------------


def _encode(f: models.Field, value):
    if value is None or isinstance(f, models.JSONField):
        return value
    if isinstance(f, models.FileField):
        return str(value or "")
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _decode(f: models.Field, value):
    if value is None or isinstance(f, models.JSONField | models.FileField):
        return value
    if isinstance(f, models.DurationField):
        return dt.timedelta(seconds=value)
    return f.to_python(value)


def _pk_key(value):
    return (0, value, "") if isinstance(value, int) else (1, 0, str(value))


def _json_pk(value):
    return value if isinstance(value, int) else str(value)


# --- export ---------------------------------------------------------------------------------------


@dataclass
class ExportSummary:
    path: Path
    counts: dict[str, int]
    files: int
    bytes: int


@contextmanager
def _consistent_read() -> Iterator[None]:
    """One snapshot for the whole export, so rows written meanwhile cannot half-appear."""
    outermost = not connection.in_atomic_block
    if outermost:
        connection.close_if_health_check_failed()  # its SELECT 1 must not open the transaction
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def campaign_export(*, campaign: Campaign, path: Path, log: Callable[[str], None] = _quiet) -> ExportSummary:
    """Write ``campaign`` and everything that belongs to it into one archive at ``path``.

    Rows are read in one snapshot and streamed model by model (memory holds ids, not rows); the
    archive is written next to ``path`` and moved there only when complete.
    """
    plan = backup_plan()
    if plan.problems:
        raise BackupError("the models cannot be archived: " + "; ".join(plan.problems))
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    try:
        with _consistent_read():
            campaign = Campaign.objects.select_related("tenant").get(pk=campaign.pk)
            _refuse_unfinished(plan, campaign)
            with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
                summary = _Exporter(plan, campaign, archive, log).run()
            summary.path = path
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return summary


def _refuse_unfinished(plan: BackupPlan, campaign: Campaign) -> None:
    for label, (name, states) in UNFINISHED.items():
        mp = plan.models.get(label)
        if mp is None:
            continue
        for lookup in mp.paths:
            found = mp.model._base_manager.filter(
                tenant_id=campaign.tenant_id, **{lookup: campaign.pk, f"{name}__in": states}
            ).values_list("pk", flat=True)[:1]
            if found:
                raise BackupError(
                    f"{label} {found[0]} is still {'/'.join(states)}: export once it has finished "
                    "(a copy could never finish it)"
                )


def _chunks(items: list, size: int = 1000) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _values(model, pks: list, names: list[str]) -> Iterator[dict]:
    """Rows of ``pks`` (sorted) in pk order, a thousand at a time."""
    for chunk in _chunks(pks):
        yield from sorted(
            model._base_manager.filter(pk__in=chunk).values("pk", *names), key=lambda row: _pk_key(row["pk"])
        )


def _attnames(mp: ModelPlan) -> list[str]:
    return [f.attname for f in mp.fields]


def _typed(value, keys: set):
    """``value`` as found in ``keys`` (ids in JSON may be strings of integers), else None."""
    if value in keys:
        return value
    try:
        number = int(value)
    except (TypeError, ValueError):
        return str(value) if str(value) in {str(k) for k in keys} else None
    return number if number in keys else None


def _pointer_target(object_type: str) -> str | None:
    if not object_type:
        return None
    try:
        return _label(apps.get_model(object_type))
    except (LookupError, ValueError):
        return None


def _user_fields() -> list[models.Field]:
    user_model = get_user_model()
    names = [user_model.USERNAME_FIELD, *(n for n in _USER_FIELDS if hasattr(user_model, n))]
    return [user_model._meta.get_field(n) for n in names]


class _Exporter:
    def __init__(self, plan: BackupPlan, campaign: Campaign, archive: zipfile.ZipFile, log):
        self.plan = plan
        self.campaign = campaign
        self.tenant_id = campaign.tenant_id
        self.archive = archive
        self.log = log
        self.carried: dict[str, set] = {}
        labels = [plan.user_label, *plan.references]
        self.named: dict[str, set] = {label: set() for label in labels}  # by foreign keys: must exist
        self.wanted: dict[str, set] = {label: set() for label in labels}  # by generic pointers: if they exist
        self.files: list[tuple[Any, str, str]] = []  # (storage, name, owner)
        self.models: dict[str, dict] = {}

    def run(self) -> ExportSummary:
        plan, campaign = self.plan, self.campaign
        for label in plan.order:
            self.carried[label] = self._campaign_pks(plan.models[label])
        for label in plan.order:
            mp = plan.models[label]
            self._write(label, mp.fields, self._checked(mp, _values(mp.model, sorted(self.carried[label], key=_pk_key),
                                                                       _attnames(mp))), mp)
        references = self._references()
        self._write(plan.user_label, _user_fields(), iter(references[plan.user_label]), None)
        for label in plan.references:
            self._write(label, plan.models[label].fields, iter(references[label]), plan.models[label])
        files, size = self._copy_files()
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "exported_at": timezone.now().isoformat(),
            "source": {
                "tenant": campaign.tenant.slug,
                "tenant_name": campaign.tenant.name,
                "office_name": campaign.tenant.office_name,
                "campaign": {"id": campaign.pk, "year": campaign.year, "name": campaign.name, "phase": campaign.phase},
            },
            "schema": schema_state(_schema_apps(plan)),
            "models": self.models,
            "files": files,
        }
        self.archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True))
        counts = {label: entry["rows"] for label, entry in self.models.items()}
        return ExportSummary(path=Path(), counts=counts, files=len(files), bytes=size)

    def _campaign_pks(self, mp: ModelPlan) -> set:
        if mp.role == "root":
            return {self.campaign.pk}
        found: set = set()
        for lookup in mp.paths:
            found.update(
                mp.model._base_manager.filter(tenant_id=self.tenant_id, **{lookup: self.campaign.pk}).values_list(
                    "pk", flat=True
                )
            )
        return found

    def _checked(self, mp: ModelPlan, rows: Iterator[dict]) -> Iterator[dict]:
        """The rows, once proven closed: every row they name is archived or matched on import."""
        links = [(f.attname, mp.relations[f.name]) for f in mp.fields if mp.relations.get(f.name) in self.carried]
        remaps = [(f.attname, REMAPPED_JSON[(mp.label, f.name)]) for f in mp.fields if (mp.label, f.name) in REMAPPED_JSON]
        for row in rows:
            for attname, target in links:
                value = row[attname]
                if value is not None and value not in self.carried[target]:
                    raise BackupError(
                        f"{mp.label} {row['pk']}: {attname} names {target} {value}, which is not part of "
                        f"campaign {self.campaign.pk}; the data is inconsistent, fix it before exporting"
                    )
            for attname, remap in remaps:
                if row[attname] is not None:
                    remap(row[attname], self._carried_lookup(mp.label, attname))
            self._collect(mp, row)
            for name in mp.files:
                stored = row[name]
                if stored:
                    self.files.append((mp.model._meta.get_field(name).storage, stored, f"{mp.label} {row['pk']}"))
            yield row

    def _carried_lookup(self, label: str, attname: str):
        def lookup(target, value):
            found = _typed(value, self.carried.get(target, set()))
            if found is None:
                raise BackupError(f"{label}.{attname} names {target} {value}, which is not part of the campaign")
            return found

        return lookup

    def _collect(self, mp: ModelPlan, row: dict) -> None:
        for f in mp.fields:
            target = mp.relations.get(f.name)
            if target in self.named and row[f.attname] is not None:
                self.named[target].add(row[f.attname])
        if mp.label in GENERIC_POINTERS:
            type_field, id_field = GENERIC_POINTERS[mp.label]
            target = _pointer_target(row[type_field])
            if target in self.wanted and row[id_field]:
                model = get_user_model() if target == self.plan.user_label else self.plan.models[target].model
                try:
                    self.wanted[target].add(model._meta.pk.to_python(row[id_field]))
                except ValidationError:
                    pass

    def _references(self) -> dict[str, list[dict]]:
        """The units, departments, memberships and people the archived rows name, with the
        memberships of those people in this tenant (so they can see the campaign where it is
        restored). A foreign key must find its row; a generic pointer may name one that is gone."""
        plan = self.plan
        labels = list(self.named)
        found: dict[str, dict] = {label: {} for label in labels}
        membership = plan.models["evaluation.Membership"].model
        user_attnames = [f.attname for f in _user_fields()]
        while True:
            for label in labels:
                self.wanted[label] |= self.named[label]
            self.wanted["evaluation.Membership"].update(
                membership._base_manager.filter(
                    tenant_id=self.tenant_id, user_id__in=self.wanted[plan.user_label]
                ).values_list("pk", flat=True)
            )
            progress = False
            for label in labels:
                missing = sorted(self.wanted[label] - set(found[label]), key=_pk_key)
                if not missing:
                    continue
                if label == plan.user_label:
                    fetched = list(_values(get_user_model(), missing, user_attnames))
                else:
                    mp = plan.models[label]
                    fetched = list(
                        mp.model._base_manager.filter(tenant_id=self.tenant_id, pk__in=missing).values(
                            "pk", *_attnames(mp)
                        )
                    )
                    for row in fetched:
                        self._collect(mp, row)
                for row in fetched:
                    found[label][row["pk"]] = row
                progress = progress or bool(fetched)
            if not progress:
                break
        for label in labels:
            lost = self.named[label] - set(found[label])
            if lost:
                where = "" if label == plan.user_label else " in this tenant"
                raise BackupError(
                    f"archived rows name {label} {sorted(lost, key=_pk_key)[:5]}, which does not exist{where}; "
                    "the data is inconsistent, fix it before exporting"
                )
        return {label: sorted(found[label].values(), key=lambda row: _pk_key(row["pk"])) for label in labels}

    def _write(self, label: str, fields: list[models.Field], rows: Iterator[dict], mp: ModelPlan | None) -> None:
        member = f"data/{label}.jsonl"
        digest = hashlib.sha256()
        count = 0
        with self.archive.open(member, "w", force_zip64=True) as out:
            for row in rows:
                record = {"pk": _json_pk(row["pk"]), "fields": _encode_row(mp, fields, row)}
                line = (json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n").encode()
                digest.update(line)
                out.write(line)
                count += 1
        self.models[label] = {
            "path": member,
            "rows": count,
            "sha256": digest.hexdigest(),
            "role": "user" if mp is None else mp.role,
        }
        if count:
            self.log(f"  {label}: {count}")

    def _copy_files(self) -> tuple[dict[str, dict], int]:
        files: dict[str, dict] = {}
        size = 0
        for storage, name, owner in self.files:
            if name not in files:
                files[name] = _copy_file(self.archive, storage, name, owner)
                size += files[name]["size"]
        if files:
            self.log(f"  files: {len(files)} ({size} bytes)")
        return files, size


def _encode_row(mp: ModelPlan | None, fields: list[models.Field], row: dict) -> dict:
    out = {}
    for f in fields:
        value = row[f.attname]
        if mp is not None and f.name in mp.natural:
            value = _natural_key(f, value, mp.natural[f.name])
        elif f.is_relation:
            value = None if value is None else _json_pk(value)
        else:
            value = _encode(f, value)
        out[f.name] = value
    return out


def _natural_key(f: models.Field, value, keys: tuple[str, ...]):
    if value is None:
        return None
    found = f.related_model._base_manager.filter(pk=value).values(*keys).first()
    return None if found is None else {k: _encode(f.related_model._meta.get_field(k), v) for k, v in found.items()}


def _copy_file(archive: zipfile.ZipFile, storage, name: str, owner: str) -> dict:
    _check_storage_name(name)
    digest = hashlib.sha256()
    size = 0
    try:
        source = storage.open(name, "rb")
    except OSError as exc:
        raise BackupError(f"the file {name!r} of {owner} is missing from storage: {exc}") from exc
    with source, archive.open(f"files/{name}", "w", force_zip64=True) as out:
        for chunk in iter(lambda: source.read(1024 * 1024), b""):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return {"sha256": digest.hexdigest(), "size": size}


def _check_storage_name(name: str) -> None:
    parts = PurePosixPath(name).parts
    if not parts or name.startswith("/") or "\\" in name or any(p in ("..", ".") for p in parts):
        raise BackupError(f"unsafe file name {name!r}")


# --- import ---------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    campaign: Campaign
    tenant: Tenant
    tenant_created: bool
    counts: dict[str, int]
    created: dict[str, list[str]]
    reused: dict[str, list[str]]
    ids: dict[str, dict]  # label -> {source pk (as text): new pk}
    files: dict[str, str]  # source storage name -> new storage name
    fresh: dict[str, dict[str, str]]  # "label.field" -> {old value: new value}
    source_name: str
    import_event: int | None = None  # the audit event of this import (not in the source)

    def mapping(self) -> dict:
        """The JSON document ``--map-output`` writes: how to read the source's ids here."""
        return {
            "tenant": self.tenant.slug,
            "campaign": {"id": self.campaign.pk, "year": self.campaign.year, "name": self.campaign.name,
                         "source_name": self.source_name},
            "ids": self.ids,
            "files": self.files,
            "fresh": self.fresh,
            "import_event": self.import_event,
        }


class _Archive:
    """An opened archive with a readable manifest; ``verify`` checks every member against it."""

    def __init__(self, zf: zipfile.ZipFile):
        self.zf = zf
        try:
            self.manifest = json.loads(zf.read(MANIFEST))
        except KeyError as exc:
            raise BackupError("not a campaign archive: manifest.json is missing") from exc
        except ValueError as exc:
            raise BackupError(f"manifest.json is not valid JSON: {exc}") from exc
        if self.manifest.get("format") != FORMAT:
            raise BackupError("not a campaign archive (unknown format)")
        if self.manifest.get("version") != VERSION:
            raise BackupError(
                f"archive format version {self.manifest.get('version')} is not supported (this version reads {VERSION})"
            )
        shape = {"source": dict, "schema": dict, "models": dict, "files": dict}
        if any(not isinstance(self.manifest.get(key), kind) for key, kind in shape.items()):
            raise BackupError("manifest.json lacks its source, schema, models or files")

    def verify(self) -> None:
        """Every member is listed with its sha256 and matches it; nothing else is in the archive."""
        expected = {entry["path"]: entry["sha256"] for entry in self.manifest["models"].values()}
        for name, entry in self.manifest["files"].items():
            _check_storage_name(name)
            expected[f"files/{name}"] = entry["sha256"]
        present = set(self.zf.namelist()) - {MANIFEST}
        if present - set(expected):
            raise BackupError(f"the archive holds members its manifest does not list: {sorted(present - set(expected))[:5]}")
        if set(expected) - present:
            raise BackupError(f"the archive lacks members its manifest lists: {sorted(set(expected) - present)[:5]}")
        for name, entry in self.manifest["files"].items():
            if self.zf.getinfo(f"files/{name}").file_size != entry["size"]:
                raise BackupError(f"files/{name} is not the size its manifest says: the archive is damaged or altered")
        for member, sha in sorted(expected.items()):
            try:
                actual = _sha256(self.zf, member)
            except (zipfile.BadZipFile, OSError) as exc:
                raise BackupError(f"{member} cannot be read: {exc}") from exc
            if actual != sha:
                raise BackupError(f"{member} does not match its sha256 in the manifest: the archive is damaged or altered")

    def rows(self, label: str) -> Iterator[dict]:
        with self.zf.open(self.manifest["models"][label]["path"]) as raw:
            for line in io.TextIOWrapper(raw, encoding="utf-8"):
                if line.strip():
                    yield json.loads(line)

    def file(self, name: str) -> bytes:
        content = self.zf.read(f"files/{name}")
        if hashlib.sha256(content).hexdigest() != self.manifest["files"][name]["sha256"]:
            raise BackupError(f"files/{name} changed while it was being imported")
        return content


def _sha256(zf: zipfile.ZipFile, member: str) -> str:
    digest = hashlib.sha256()
    with zf.open(member) as source:
        for chunk in iter(lambda: source.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_manifest(path: Path) -> dict:
    with zipfile.ZipFile(path) as zf:
        return _Archive(zf).manifest


def _check_schema(plan: BackupPlan, manifest: dict) -> None:
    app_labels = _schema_apps(plan) | set(manifest.get("schema", {}))
    here = schema_state(app_labels)
    applied = {(app, name) for app, names in here.items() for name in names}
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    pending = sorted(key for key in loader.disk_migrations if key[0] in app_labels and key not in applied)
    if pending:
        raise BackupError(
            "this database is not fully migrated (" + ", ".join(f"{a}.{n}" for a, n in pending[:5])
            + "): run manage.py migrate first"
        )
    theirs = manifest.get("schema", {})
    differences = []
    for app in sorted(app_labels):
        ours, archived = here.get(app, []), theirs.get(app, [])
        if ours != archived:
            differences.append(
                f"{app}: archive at {archived[-1] if archived else 'nothing'}, this database at "
                f"{ours[-1] if ours else 'nothing'}"
            )
    if differences:
        raise BackupError(
            "the archive was written by a different schema version (" + "; ".join(differences) + "). "
            "Import it with the Kaoping version that exported it, or export it again from a matching one."
        )
    archived_models = set(manifest["models"])
    if archived_models != set(plan.labels):
        raise BackupError(
            f"the archive's models differ from this installation's: {sorted(archived_models ^ set(plan.labels))}"
        )


def campaign_import(
    *,
    archive: Path,
    tenant_slug: str,
    create_tenant: bool = False,
    tenant_name: str = "",
    as_name: str = "",
    log: Callable[[str], None] = _quiet,
) -> ImportReport:
    """Restore an archive into ``tenant_slug`` as a new campaign, all or nothing.

    The archive is checked whole (every member's sha256, the schema, the campaign's name in the
    target) before anything is written; rows are inserted in one transaction and files written
    by then are removed again if it does not commit.
    """
    plan = backup_plan()
    if plan.problems:
        raise BackupError("the models cannot be archived: " + "; ".join(plan.problems))
    try:
        zf = zipfile.ZipFile(archive)
    except (OSError, zipfile.BadZipFile) as exc:
        raise BackupError(f"cannot read {archive}: {exc}") from exc
    written: list[tuple[Any, str]] = []
    with zf:
        source = _Archive(zf)
        log("checking the archive…")
        source.verify()
        _check_schema(plan, source.manifest)
        try:
            with transaction.atomic():
                report = _Importer(plan, source, written, log).run(
                    tenant_slug=tenant_slug, create_tenant=create_tenant, tenant_name=tenant_name, as_name=as_name
                )
        except BaseException:
            for storage, name in written:
                storage.delete(name)
            raise
    return report


class _Importer:
    def __init__(self, plan: BackupPlan, source: _Archive, written: list, log):
        self.plan = plan
        self.source = source
        self.written = written
        self.log = log
        self.ids: dict[str, dict[str, Any]] = defaultdict(dict)
        self.files: dict[str, str] = {}
        self.fresh: dict[str, dict[str, str]] = defaultdict(dict)
        self.counts: dict[str, int] = {}
        self.created: dict[str, list[str]] = defaultdict(list)
        self.reused: dict[str, list[str]] = defaultdict(list)
        self._taken: dict[str, set[str]] = {}  # per batch: renewable values already used in the target

    def lookup(self, label: str, value):
        try:
            return self.ids[label][str(value)]
        except KeyError:
            raise BackupError(f"the archive names {label} {value}, which it does not hold") from None

    def run(self, *, tenant_slug: str, create_tenant: bool, tenant_name: str, as_name: str) -> ImportReport:
        manifest = self.source.manifest["source"]
        self.tenant, tenant_created = self._tenant(tenant_slug, create_tenant, tenant_name)
        year, source_name = manifest["campaign"]["year"], manifest["campaign"]["name"]
        self.name = as_name.strip() or source_name
        if Campaign.objects.filter(tenant=self.tenant, year=year, name=self.name).exists():
            raise BackupError(
                f"tenant {self.tenant.slug} already has a {year} campaign named {self.name!r}: "
                "choose another name with --as-name"
            )
        self._users()
        for label in self.plan.references:
            self._references(self.plan.models[label])
        for label in self.plan.order:
            self._owned(self.plan.models[label])
        campaign = Campaign.objects.get(pk=self.lookup(CAMPAIGN, manifest["campaign"]["id"]))
        from evaluation.services.audit import audit_record

        self.event = audit_record(  # by the system: the command is run on the server, by nobody who signs in
            tenant=self.tenant.pk, actor=None, action="campaign.import", obj=campaign, campaign=campaign,
            after={"source": {"tenant": manifest.get("tenant", ""), "campaign": source_name, "year": year},
                   "rows": sum(self.counts.values()), "users_created": sorted(self.created["users"]),
                   "tenant_created": tenant_created},
            label=f"{year} {self.name}",
        )
        return ImportReport(
            campaign=campaign,
            tenant=self.tenant,
            tenant_created=tenant_created,
            counts=self.counts,
            created=dict(self.created),
            reused=dict(self.reused),
            ids={label: dict(m) for label, m in self.ids.items()},
            files=self.files,
            fresh={key: dict(m) for key, m in self.fresh.items()},
            source_name=source_name,
            import_event=self.event.pk,
        )

    def _tenant(self, slug: str, create: bool, name: str) -> tuple[Tenant, bool]:
        tenant = Tenant.objects.filter(slug=slug).first()
        if create:
            if tenant is not None:
                raise BackupError(f"tenant {slug} already exists: leave out --create-tenant to import into it")
            source = self.source.manifest["source"]
            tenant = Tenant(slug=slug, name=name or source["tenant_name"], office_name=source.get("office_name", ""))
            try:
                tenant.full_clean()
            except ValidationError as exc:
                raise BackupError(f"cannot create tenant {slug}: {'; '.join(exc.messages)}") from exc
            tenant.save()
            self.log(f"created tenant {slug}")
            return tenant, True
        if tenant is None:
            raise BackupError(f"no tenant {slug}: create it with --create-tenant (and --tenant-name)")
        return tenant, False

    def _users(self) -> None:
        user_model = get_user_model()
        key = user_model.USERNAME_FIELD
        fields = {f.name: f for f in _user_fields()}
        rows = list(self.source.rows(self.plan.user_label))
        existing = dict(
            user_model._base_manager.filter(**{f"{key}__in": [r["fields"][key] for r in rows]}).values_list(key, "pk")
        )
        for row in rows:
            username = row["fields"][key]
            if username in existing:
                self.reused["users"].append(username)
                pk = existing[username]
            else:
                user = user_model(**{name: _decode(fields[name], v) for name, v in row["fields"].items() if name in fields})
                user.set_unusable_password()  # the archive never carries passwords: a reset sets one
                user.save()
                self.created["users"].append(username)
                pk = user.pk
            self.ids[self.plan.user_label][str(row["pk"])] = pk
        self.counts[self.plan.user_label] = len(rows)

    def _references(self, mp: ModelPlan) -> None:
        keys = REFERENCE_KEYS[mp.label]
        rows = list(self.source.rows(mp.label))
        new = []
        for row in rows:
            obj = self._build(mp, row)
            attnames = [mp.model._meta.get_field(name).attname for name in keys]
            match = {attname: getattr(obj, attname) for attname in attnames}
            found = mp.model._base_manager.filter(tenant_id=self.tenant.pk, **match).values_list("pk", flat=True).first()
            if found is not None:
                self.ids[mp.label][str(row["pk"])] = found
                self.reused[mp.label].append(_describe(obj))
            else:
                new.append((row, obj))
        _insert_rows(mp.model, [obj for _, obj in new])
        for row, obj in new:
            self.ids[mp.label][str(row["pk"])] = obj.pk
            self.created[mp.label].append(_describe(obj))
        self.counts[mp.label] = len(rows)

    def _owned(self, mp: ModelPlan) -> None:
        total = 0
        if not mp.self_fks:
            for batch in _batches(self.source.rows(mp.label)):
                self._insert_batch(mp, batch)
                total += len(batch)
        else:  # rows that name rows of their own model (a node's parent) wait for them
            pending = list(self.source.rows(mp.label))
            total = len(pending)
            while pending:
                ready = [r for r in pending if all(
                    r["fields"][n] is None or str(r["fields"][n]) in self.ids[mp.label] for n in mp.self_fks)]
                if not ready:
                    raise BackupError(f"{mp.label}: rows name each other in a cycle")
                self._insert_batch(mp, ready)
                ready_ids = {id(r) for r in ready}
                pending = [r for r in pending if id(r) not in ready_ids]
        self.counts[mp.label] = total
        if total:
            self.log(f"  {mp.label}: {total}")

    def _insert_batch(self, mp: ModelPlan, rows: list[dict]) -> None:
        self._taken = self._taken_values(mp, rows)
        objs = [self._build(mp, row) for row in rows]
        _insert_rows(mp.model, objs)
        for row, obj in zip(rows, objs, strict=True):
            self.ids[mp.label][str(row["pk"])] = _json_pk(obj.pk)

    def _taken_values(self, mp: ModelPlan, rows: list[dict]) -> dict[str, set]:
        taken = {}
        for name, (scope, _make) in mp.fresh.items():
            f = mp.model._meta.get_field(name)
            values = [_decode(f, r["fields"][name]) for r in rows if r["fields"][name] is not None]
            query = mp.model._base_manager.all() if scope == "database" else mp.model._base_manager.filter(
                tenant_id=self.tenant.pk
            )
            found = set()
            for start in range(0, len(values), 1000):
                found.update(query.filter(**{f"{name}__in": values[start : start + 1000]}).values_list(name, flat=True))
            taken[name] = {str(v) for v in found}
        return taken

    def _build(self, mp: ModelPlan, row: dict) -> models.Model:
        obj = mp.model()
        pk = mp.model._meta.pk
        setattr(obj, pk.attname, None if _is_auto(pk) else pk.get_default())
        obj.tenant_id = self.tenant.pk
        values = row["fields"]
        later = []
        for f in mp.fields:
            value = values.get(f.name)
            if f.name in mp.natural:
                value = self._natural(f, value)
            elif f.name in mp.relations:
                value = None if value is None else self.lookup(mp.relations[f.name], value)
            elif f.name in mp.files:
                later.append((f, value))
                continue
            elif (mp.label, f.name) in REMAPPED_JSON and value is not None:
                value = REMAPPED_JSON[(mp.label, f.name)](value, self.lookup)
            else:
                value = _decode(f, value)
                if f.name in mp.fresh and value is not None and str(value) in self._taken[f.name]:
                    new = mp.fresh[f.name][1]()
                    self.fresh[f"{mp.label}.{f.name}"][str(value)] = str(new)
                    value = new
            setattr(obj, f.attname, value)
        if mp.role == "root":
            obj.name = self.name
        if mp.label in GENERIC_POINTERS:
            type_field, id_field = GENERIC_POINTERS[mp.label]
            setattr(obj, id_field, self._pointer(getattr(obj, type_field), getattr(obj, id_field)))
        for f, name in later:  # last: a file's new name may be made from the row's other fields
            setattr(obj, f.attname, self._file(f, obj, name) if name else "")
        return obj

    def _natural(self, f: models.Field, value):
        if value is None:
            return None
        keys = {k: _decode(f.related_model._meta.get_field(k), v) for k, v in value.items()}
        return f.related_model._base_manager.filter(tenant_id=self.tenant.pk, **keys).values_list("pk", flat=True).first()

    def _pointer(self, object_type: str, object_id: str) -> str:
        target = _pointer_target(object_type)
        if target not in set(self.plan.labels) or not object_id:
            return object_id
        new = self.ids[target].get(str(object_id))
        return "" if new is None else str(new)

    def _file(self, f: models.FileField, obj: models.Model, name: str) -> str:
        if name in self.files:
            return self.files[name]
        content = self.source.file(name)
        if callable(f.upload_to):
            wanted = f.generate_filename(obj, PurePosixPath(name).name)
        else:  # the project's convention: <kind>/<tenant id>/<random name>
            first = PurePosixPath(name).parts[0]
            wanted = f"{first}/{self.tenant.pk}/{secrets.token_hex(16)}{PurePosixPath(name).suffix.lower()}"
        stored = f.storage.save(wanted, ContentFile(content), max_length=f.max_length)
        self.written.append((f.storage, stored))
        self.files[name] = stored
        return stored


def _batches(rows: Iterator[dict], size: int = 1000) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _describe(obj: models.Model) -> str:
    return str(getattr(obj, "code", None) or getattr(obj, "user", None) or obj.pk)


def _insert_rows(model, objs: list[models.Model]) -> None:
    """Insert rows exactly as given (raw: ``auto_now`` fields keep the archive's times), in
    batches, setting each new primary key on its object; no ``save()`` signals run."""
    if not objs:
        return
    opts = model._meta
    auto = opts.pk if _is_auto(opts.pk) else None
    fields = [f for f in opts.concrete_fields if f is not auto and not getattr(f, "generated", False)]
    db = connection
    size = max(1, min(500, db.ops.bulk_batch_size(fields, objs)))
    if auto is not None and not db.features.can_return_rows_from_bulk_insert:
        size = 1
    returning = [auto] if auto is not None else None
    for start in range(0, len(objs), size):
        chunk = objs[start : start + size]
        returned = model._base_manager._insert(
            chunk, fields=fields, returning_fields=returning, raw=True, using=db.alias
        )
        if auto is not None:
            for obj, values in zip(chunk, returned, strict=True):
                setattr(obj, auto.attname, values[0])
        for obj in chunk:
            obj._state.adding = False
            obj._state.db = db.alias


# --- comparing two archives: the round trip's proof ---------------------------------------------


@dataclass
class _Loaded:
    manifest: dict
    rows: dict[str, dict[str, dict]]  # label -> {pk as text: fields}


def _load(path: Path) -> _Loaded:
    with zipfile.ZipFile(path) as zf:
        source = _Archive(zf)
        source.verify()
        rows = {label: {str(r["pk"]): r["fields"] for r in source.rows(label)} for label in source.manifest["models"]}
        return _Loaded(source.manifest, rows)


def archive_differences(original: Path, copy: Path, mapping: dict) -> list[str]:
    """How ``copy`` (an export of an imported archive) differs from ``original``, reading every
    id, file name and renewed value through ``mapping`` (``ImportReport.mapping()``).

    Every row must have its copy with equal fields, every file equal bytes (by sha256), and the
    copy must hold nothing more. An empty list is an exact round trip.
    """
    plan = backup_plan()
    a, b = _load(original), _load(copy)
    ids: dict[str, dict] = mapping["ids"]
    labels = set(plan.labels)
    differences: list[str] = []

    def mapped(label, value):
        if value is None:
            return None
        return ids.get(label, {}).get(str(value), f"<unmapped {label} {value}>")

    for label in sorted(set(a.rows) | set(b.rows)):
        mp = plan.models.get(label)
        ra, rb = a.rows.get(label, {}), b.rows.get(label, {})
        if label == "evaluation.AuditEvent" and mapping.get("import_event") is not None:
            # the import's own event is the one row the copy adds to the trail
            rb = {pk: row for pk, row in rb.items() if pk != str(mapping["import_event"])}
        if len(ra) != len(rb):
            differences.append(f"{label}: {len(ra)} rows, the copy {len(rb)}")
        seen = set()
        for pk, fa in ra.items():
            target = str(mapped(label, pk))
            fb = rb.get(target)
            if fb is None:
                differences.append(f"{label} {pk}: no copy (expected {target})")
                continue
            seen.add(target)
            for name, va in fa.items():
                if name not in fb:
                    differences.append(f"{label} {pk}.{name}: missing in the copy")
                    continue
                vb = fb[name]
                if mp is not None and name in mp.files:
                    sha_a = a.manifest["files"][va]["sha256"] if va else None
                    sha_b = b.manifest["files"][vb]["sha256"] if vb else None
                    if sha_a != sha_b:
                        differences.append(f"{label} {pk}.{name}: file {va!r} differs from {vb!r}")
                    continue
                expected = _expected(mp, name, va, fa, mapping, mapped, labels)
                if expected != vb:
                    differences.append(f"{label} {pk}.{name}: {expected!r} became {vb!r}")
            for name in set(fb) - set(fa):
                differences.append(f"{label} {pk}.{name}: only in the copy")
        for pk in sorted(set(rb) - seen):
            differences.append(f"{label} {pk}: only in the copy")
    if set(a.manifest["files"]) and len(a.manifest["files"]) != len(b.manifest["files"]):
        differences.append(f"files: {len(a.manifest['files'])}, the copy {len(b.manifest['files'])}")
    return differences


def _expected(mp: ModelPlan | None, name: str, value, row: dict, mapping: dict, mapped, labels: set[str]):
    if mp is None:
        return value
    if name in mp.natural:
        return value
    if name in mp.relations:
        return mapped(mp.relations[name], value)
    if (mp.label, name) in REMAPPED_JSON and value is not None:
        return REMAPPED_JSON[(mp.label, name)](value, mapped)
    if name in mp.fresh and value is not None:
        return mapping["fresh"].get(f"{mp.label}.{name}", {}).get(str(value), value)
    if mp.role == "root" and name == "name":
        return mapping["campaign"]["name"]
    if mp.label in GENERIC_POINTERS and name == GENERIC_POINTERS[mp.label][1] and value:
        target = _pointer_target(row[GENERIC_POINTERS[mp.label][0]])
        if target in labels:
            new = mapping["ids"].get(target, {}).get(str(value))
            return "" if new is None else str(new)
    return value
