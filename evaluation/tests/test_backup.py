"""Backup and restore of one campaign (issue #9): export → import → export again is exact.

The campaign is the demo's worked example A (two categories, ledger, measures, vetoes, paper
survey, ballots, spot checks, computed results) with what the demo lacks added through the
product's services: evidence files on a ledger entry, an appeal and a self-assessment, a veto
document, a visit photo, a double-entry keying mismatch, a target round, a published revision
with its rectification reports and an Excel bulletin.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
import uuid
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from evaluation.models import (
    AuditEvent,
    Campaign,
    CampaignPhase,
    CampaignSettings,
    ComputeJob,
    Evidence,
    LedgerEntry,
    Membership,
    Phase,
    ResultRevision,
    TargetItem,
    TargetRound,
    TargetSheet,
    Tenant,
    TenantOwned,
    UnitResult,
    VetoDecision,
)
from evaluation.services import backup
from evaluation.services.backup import (
    BackupError,
    archive_differences,
    backup_plan,
    campaign_export,
    campaign_import,
    read_manifest,
)
from evaluation.services.compute import compute_job_create, compute_job_execute

ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _compute(campaign) -> ResultRevision:
    job, created = compute_job_create(campaign=campaign)
    assert created
    job = compute_job_execute(job_id=job.pk)
    assert job.status == ComputeJob.Status.DONE, job.message
    return job.revision


def build_rich_campaign() -> Campaign:
    """The demo campaign with every kind of row and file the archive must carry."""
    from evaluation.selectors.year import unit_leaves
    from evaluation.services.evidence import evidence_attach, evidence_check
    from evaluation.services.ledger import ledger_entry_appeal
    from evaluation.services.self_assessment import self_assessment_save, self_sheet_get_or_create
    from evaluation.services.vetoes import veto_decide
    from inspections.models import Visit
    from inspections.services.visits import visit_photo_add
    from reporting.services.bulletins import bulletin_job_create, bulletin_job_execute
    from reporting.services.publication import publication_approve, publication_publish, publication_submit
    from surveys.models import StagedBallot, Survey
    from surveys.services.paper import paper_batch_create, paper_sheet_enter

    call_command("demo", stdout=io.StringIO())
    campaign = Campaign.objects.get(tenant__slug="demo", year=2026)
    tenant = campaign.tenant
    people = {m.user.username: m for m in Membership.objects.filter(tenant=tenant).select_related("user", "unit")}
    office, liaison = people["office"].user, people["liaison"]
    u1 = liaison.unit

    entries = list(LedgerEntry.objects.filter(campaign=campaign, unit=u1).order_by("pk"))
    evidence_attach(checked=evidence_check(name="通报.pdf", content=PDF + b"ledger"), campaign=campaign, unit=u1,
                    uploaded_by=office, ledger_entry=entries[0])
    ledger_entry_appeal(entry=entries[1], actor=liaison.user, reason="已按期整改",
                        files=[evidence_check(name="整改材料.pdf", content=PDF + b"appeal")])
    sheet = self_sheet_get_or_create(campaign=campaign, unit=u1)
    self_assessment_save(sheet=sheet, node=unit_leaves(campaign, u1).order_by("code").first(), actor=liaison.user,
                         score=None, narrative="全年任务均已完成",
                         files=[evidence_check(name="自评.pdf", content=PDF + b"self")])
    u2 = campaign.campaign_units.get(unit__code="U2").unit
    veto_decide(campaign=campaign, unit=u2, department=people["veto"].department, actor=people["veto"].user,
                decision="signed_off", document=evidence_check(name="签字.pdf", content=PDF + b"veto"))
    visit = Visit.objects.filter(campaign=campaign).order_by("pk").first()
    visit_photo_add(visit=visit, supervisor=visit.supervisor, key=uuid.uuid4(),
                    upload=SimpleUploadedFile("现场.png", PNG + b"\x00" * 64))

    # a double-entry sheet whose two passes disagree: keyings hold question and option ids
    survey = Survey.objects.get(campaign=campaign)
    questionnaire = survey.questionnaires.order_by("pk").first()
    questions = list(questionnaire.questions.order_by("pk"))
    options = list(questionnaire.options.order_by("pk"))
    batch = paper_batch_create(actor=office, survey=survey, questionnaire=questionnaire, label="复录-1",
                               double_entry=True)
    paper_sheet_enter(actor=office, batch=batch, answers={questions[0].pk: options[0].pk})
    paper_sheet_enter(actor=people["assessor"].user, batch=batch, sheet_no=1,
                      answers={questions[0].pk: options[1].pk, questions[1].pk: options[2].pk})

    # the year's set-up and a target round (its snapshot names item ids)
    CampaignSettings.objects.create(tenant=tenant, campaign=campaign, appeal_days=10)
    CampaignPhase.objects.create(tenant=tenant, campaign=campaign, phase=Phase.YEAR, opens_on=dt.date(2026, 1, 1),
                                 deadline=dt.date(2026, 12, 31))
    target_sheet = TargetSheet.objects.create(tenant=tenant, campaign=campaign, unit=u1)
    parent = campaign.categories.get(code="C1").nodes.filter(parent__isnull=True).order_by("code").first()
    item = TargetItem.objects.create(tenant=tenant, sheet=target_sheet, parent=parent, name="招商引资",
                                     points=Decimal("5.00"))
    TargetRound.objects.create(tenant=tenant, sheet=target_sheet, number=1, submitted_at=timezone.now(),
                               submitted_by=liaison.user, items=[{"item": item.pk, "name": item.name}])

    revision = _compute(campaign)
    publication = publication_submit(actor=office, revision=revision)
    publication_approve(actor=people["leader"].user, publication=publication)
    publication_publish(actor=office, publication=publication, document_number="南效〔2026〕9号")
    job, _ = bulletin_job_create(revision=revision, kind="xlsx", actor=office)
    assert bulletin_job_execute(job_id=job.pk).status == "done"
    # an e-poll ballot received and not yet filed: its ratings hold question and option ids
    StagedBallot.objects.create(tenant=tenant, survey=survey, questionnaire=questionnaire,
                                ratings={str(q.pk): options[0].pk for q in questions})
    campaign.refresh_from_db()
    return campaign


@pytest.fixture
def rich(db):
    return build_rich_campaign()


@pytest.fixture(scope="module")
def archive(django_db_setup, django_db_blocker, tmp_path_factory):
    """One archive of the rich campaign for the tests that only need the file; the rows that made
    it are rolled back."""
    folder = tmp_path_factory.mktemp("archive")
    path = folder / "campaign.zip"
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=folder / "media"), transaction.atomic():
        campaign_export(campaign=build_rich_campaign(), path=path)
        transaction.set_rollback(True)
    return path


def _media_files(settings) -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _rewrite(source: Path, target: Path, change) -> Path:
    """A copy of the archive with ``change(member, content)`` applied to each member."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, change(info.filename, zin.read(info.filename)))
    return target


FILE_FIELDS = [
    (Evidence, "file"),
    (VetoDecision, "document"),
    ("inspections.VisitPhoto", "file"),
    ("reporting.BulletinJob", "file"),
]


def _file_model(model):
    return apps.get_model(model) if isinstance(model, str) else model


# --- the round trip ------------------------------------------------------------------------------


@pytest.mark.smoke
def test_round_trip_into_another_tenant_is_exact(rich, tmp_path):
    original = tmp_path / "original.zip"
    campaign_export(campaign=rich, path=original)
    counts = {label: entry["rows"] for label, entry in read_manifest(original)["models"].items()}
    for label in ("evaluation.Evidence", "inspections.VisitPhoto", "reporting.BulletinJob", "reporting.Publication",
                  "reporting.RectificationReport", "surveys.PaperKeying", "evaluation.TargetRound",
                  "evaluation.AuditEvent", "evaluation.Appeal", "surveys.Answer", "surveys.BallotVote"):
        assert counts[label] > 0, label
    assert counts["evaluation.Evidence"] == 3
    with zipfile.ZipFile(original) as zf:
        people = [json.loads(line) for line in zf.read("data/auth.User.jsonl").splitlines()]
    assert people and all(set(p["fields"]) == {"username", "first_name", "last_name", "email", "is_active"}
                          for p in people)  # never a password hash

    report = campaign_import(archive=original, tenant_slug="restored", create_tenant=True, tenant_name="恢复")
    copy = tmp_path / "copy.zip"
    campaign_export(campaign=report.campaign, path=copy)

    assert archive_differences(original, copy, report.mapping()) == []
    assert report.tenant.slug == "restored" and report.tenant_created
    assert report.campaign.tenant_id != rich.tenant_id and report.campaign.name == rich.name
    assert set(report.created["evaluation.Unit"]) == {"U1", "U2", "U3", "U4", "U5", "U6"}
    assert not report.created.get("users")  # same database: the people exist and are reused
    event = apps.get_model("evaluation.AuditEvent").objects.get(pk=report.import_event)
    assert (event.action, event.tenant_id, event.campaign_id, event.actor_id) == (
        "campaign.import", report.tenant.pk, report.campaign.pk, None)
    assert event.after["source"] == {"tenant": rich.tenant.slug, "campaign": rich.name, "year": rich.year}

    # every file is a new file with the same bytes
    for model, name in FILE_FIELDS:
        model = _file_model(model)
        source_rows = list(model.objects.filter(tenant=rich.tenant).exclude(**{name: ""}))
        assert source_rows, model
        for row in source_rows:
            copy_row = model.objects.get(pk=report.ids[model._meta.label][str(row.pk)])
            source_file, copy_file = getattr(row, name), getattr(copy_row, name)
            assert copy_file.name != source_file.name
            with source_file.open("rb") as a, copy_file.open("rb") as b:
                assert a.read() == b.read()
    photo = apps.get_model("inspections.VisitPhoto").objects.get(tenant=report.tenant)
    assert photo.file.name.startswith(f"inspections/{report.tenant.pk}/{photo.visit_id}/")


def test_imported_results_publication_and_recompute_match_the_source(rich, tmp_path):
    from reporting.models import FrozenRevisionError, Publication, RectificationReport

    original = tmp_path / "original.zip"
    campaign_export(campaign=rich, path=original)
    report = campaign_import(archive=original, tenant_slug="restored", create_tenant=True)
    copy = report.campaign

    def results(campaign):
        revision = ResultRevision.objects.filter(campaign=campaign).order_by("-number").first()
        return revision, {
            r.unit.code: r for r in UnitResult.objects.filter(revision=revision).select_related("unit", "category")
        }

    source_revision, source = results(rich)
    copy_revision, copied = results(copy)
    assert (copy_revision.number, copy_revision.fingerprint, copy_revision.scheme) == (
        source_revision.number, source_revision.fingerprint, source_revision.scheme)
    assert copy_revision.created_at == source_revision.created_at
    assert set(copied) == set(source) == {"U1", "U2", "U3", "U4", "U5", "U6"}
    for code, row in source.items():
        other = copied[code]
        assert (other.total, other.rank, other.grade, other.vetoed, other.last_place, other.category.code) == (
            row.total, row.rank, row.grade, row.vetoed, row.last_place, row.category.code), code
        assert (other.nodes, other.components, other.explanation) == (row.nodes, row.components, row.explanation)
    assert source["U1"].total == Decimal("90.00") and source["U6"].vetoed

    # published as the source is: frozen, with the same feedback to each unit
    assert copy.phase == rich.phase == Phase.PUBLISHED
    publication = Publication.objects.get(campaign=copy)
    assert publication.status == Publication.Status.PUBLISHED and publication.revision_id == copy_revision.pk
    assert publication.document_number == "南效〔2026〕9号"
    assert sorted(RectificationReport.objects.filter(publication=publication).values_list("unit__code", "feedback")) \
        == sorted(RectificationReport.objects.filter(publication__campaign=rich).values_list("unit__code", "feedback"))
    frozen = copied["U1"]
    frozen.total = Decimal("1.00")
    with pytest.raises(FrozenRevisionError):
        frozen.save()

    # recomputing the copy from its own inputs gives the standings of the source recomputed: both
    # now count the e-poll ballot that was received and not yet filed when the archive was made
    recomputed, source_recomputed = _compute(copy), _compute(rich)
    assert recomputed.number == copy_revision.number + 1
    again = {r.unit.code: r for r in UnitResult.objects.filter(revision=recomputed).select_related("unit")}
    source_again = {r.unit.code: r for r in UnitResult.objects.filter(revision=source_recomputed).select_related("unit")}
    assert {c: (r.total, r.rank, r.grade) for c, r in again.items()} == {
        c: (r.total, r.rank, r.grade) for c, r in source_again.items()
    }
    assert source_again["U1"].total != source["U1"].total  # the ballot counted


def test_a_second_copy_in_the_same_tenant_needs_another_name(rich, tmp_path):
    from inspections.models import Visit
    from surveys.models import BallotToken, Survey

    original = tmp_path / "original.zip"
    campaign_export(campaign=rich, path=original)
    before = Campaign.objects.count()
    with pytest.raises(BackupError, match="--as-name"):
        campaign_import(archive=original, tenant_slug="demo")
    assert Campaign.objects.count() == before

    report = campaign_import(archive=original, tenant_slug="demo", as_name="演练副本")
    assert report.campaign.tenant_id == rich.tenant_id and report.campaign.name == "演练副本"
    assert set(report.reused["evaluation.Unit"]) == {"U1", "U2", "U3", "U4", "U5", "U6"}
    assert not report.created.get("evaluation.Unit")
    # values unique in the tenant or the database were taken by the source: renewed
    assert len(report.fresh["inspections.Visit.key"]) == Visit.objects.filter(campaign=rich).count()
    assert len(report.fresh["surveys.BallotToken.token"]) == BallotToken.objects.filter(evaluation__campaign=rich).count()
    assert Survey.objects.get(campaign=report.campaign).public_id != Survey.objects.get(campaign=rich).public_id
    copy = tmp_path / "copy.zip"
    campaign_export(campaign=report.campaign, path=copy)
    assert archive_differences(original, copy, report.mapping()) == []


def test_the_comparison_notices_a_changed_row(archive, tmp_path, db):
    """The round trip's proof is not vacuous: one changed score or file is reported."""
    report = campaign_import(archive=archive, tenant_slug="restored", create_tenant=True)
    copy = tmp_path / "copy.zip"
    campaign_export(campaign=report.campaign, path=copy)
    assert archive_differences(archive, copy, report.mapping()) == []
    entry = LedgerEntry.objects.filter(campaign=report.campaign).order_by("pk").first()
    LedgerEntry.objects.filter(pk=entry.pk).update(quantity=entry.quantity + 1)
    evidence = Evidence.objects.filter(campaign=report.campaign).order_by("pk").first()
    with evidence.file.open("wb") as out:
        out.write(PDF + b"changed")
    changed = tmp_path / "changed.zip"
    campaign_export(campaign=report.campaign, path=changed)
    differences = archive_differences(archive, changed, report.mapping())
    assert len(differences) == 2
    assert any("evaluation.LedgerEntry" in d and ".quantity" in d for d in differences)
    assert any("evaluation.Evidence" in d and ".file" in d for d in differences)


def test_keying_answers_and_staged_ballots_follow_the_new_question_and_option_ids(archive, db):
    from surveys.models import Answer, PaperKeying, StagedBallot
    from surveys.services.filing import ballots_file

    report = campaign_import(archive=archive, tenant_slug="restored", create_tenant=True)
    keyings = PaperKeying.objects.filter(tenant=report.tenant).select_related("batch__questionnaire")
    assert keyings.count() == 2
    staged = StagedBallot.objects.get(tenant=report.tenant)
    for questionnaire, answers in [(k.batch.questionnaire, k.answers) for k in keyings] + [
            (staged.questionnaire, staged.ratings)]:
        assert answers
        for question, option in answers.items():
            assert questionnaire.questions.filter(pk=int(question)).exists()
            assert questionnaire.options.filter(pk=option).exists()
    assert ballots_file(survey_ids=[staged.survey_id]) == 1  # and it is filed in the copy
    assert Answer.objects.filter(response_id=staged.pk).count() == len(staged.ratings)


# --- refusals: nothing is written ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("tamper", "refusal"),
    [(lambda content: content[:-1] + bytes([content[-1] ^ 1]), "sha256"), (lambda content: content + b"x", "size")],
    ids=["same-size", "longer"],
)
def test_a_tampered_file_is_refused_before_anything_is_written(archive, tmp_path, settings, db, tamper, refusal):
    def change(member, content):
        return tamper(content) if member.startswith("files/evidence/") else content

    tampered = _rewrite(archive, tmp_path / "tampered.zip", change)
    with pytest.raises(BackupError, match=refusal):
        campaign_import(archive=tampered, tenant_slug="restored", create_tenant=True)
    assert not Tenant.objects.filter(slug="restored").exists()
    assert _media_files(settings) == set()


def test_a_tampered_row_is_refused(archive, tmp_path, db):
    def change(member, content):
        return content.replace(b'"quantity": "1.00"', b'"quantity": "9.00"', 1) if member.endswith(
            "LedgerEntry.jsonl") else content

    with pytest.raises(BackupError, match="sha256"):
        campaign_import(archive=_rewrite(archive, tmp_path / "t.zip", change), tenant_slug="restored",
                        create_tenant=True)
    assert not Tenant.objects.filter(slug="restored").exists()


def test_an_archive_of_another_schema_version_is_refused(archive, tmp_path, db):
    def change(member, content):
        if member != "manifest.json":
            return content
        manifest = json.loads(content)
        manifest["schema"]["evaluation"].append("9999_from_the_future")
        return json.dumps(manifest).encode()

    with pytest.raises(BackupError, match="different schema version") as refused:
        campaign_import(archive=_rewrite(archive, tmp_path / "future.zip", change), tenant_slug="restored",
                        create_tenant=True)
    assert "9999_from_the_future" in str(refused.value)
    assert not Tenant.objects.filter(slug="restored").exists()


def test_a_failure_half_way_leaves_no_rows_and_no_files(archive, settings, monkeypatch, db):
    insert = backup._insert_rows

    def failing(model, objs):
        if model is AuditEvent:  # the last model: every file is written by now
            raise RuntimeError("disk full")
        insert(model, objs)

    monkeypatch.setattr(backup, "_insert_rows", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        campaign_import(archive=archive, tenant_slug="restored", create_tenant=True)
    assert not Tenant.objects.filter(slug="restored").exists()
    assert not Campaign.objects.filter(tenant__slug="restored").exists()
    assert _media_files(settings) == set()


def test_export_waits_for_an_unfinished_job(rich, tmp_path):
    compute_job_create(campaign=rich)
    with pytest.raises(BackupError, match="still created"):
        campaign_export(campaign=rich, path=tmp_path / "a.zip")
    assert not (tmp_path / "a.zip").exists()


# --- nothing can be forgotten ------------------------------------------------------------------


def test_every_model_is_archived_matched_or_excluded_with_a_reason():
    plan = backup_plan()
    assert plan.problems == []
    assert plan.unclassified == []
    for model in apps.get_models():
        if model._meta.app_label in backup.PROJECT_APPS and issubclass(model, TenantOwned):
            label = model._meta.label
            assert label in plan.models or label in backup.EXCLUDED, label
    assert plan.models["evaluation.AuditEvent"].role == "owned"
    assert plan.order[0] == "evaluation.Campaign" and plan.order[-1] == "evaluation.AuditEvent"
    assert plan.order.index("evaluation.UnitResult") < plan.order.index("reporting.Publication")


def test_the_guard_names_a_model_or_json_field_nobody_decided_about(monkeypatch):
    monkeypatch.setattr(backup, "EXCLUDED", {})
    monkeypatch.setattr(backup, "VERBATIM_JSON", {
        k: v for k, v in backup.VERBATIM_JSON.items() if k != ("evaluation.AuditEvent", "after")})
    unclassified = "\n".join(backup_plan().unclassified)
    assert "evaluation.Notification is tenant-owned but has no foreign-key path" in unclassified
    assert "evaluation.AuditEvent.after is JSON" in unclassified


# --- the commands ---------------------------------------------------------------------------------


def test_commands_export_by_year_and_refuse_a_duplicate(rich, tmp_path):
    path = tmp_path / "a.zip"
    out = io.StringIO()
    call_command("export_campaign", "--tenant", "demo", "--campaign", "2026", "--output", str(path), stdout=out)
    assert "evaluation.LedgerEntry: " in out.getvalue() and path.exists()
    with pytest.raises(CommandError, match="exists"):
        call_command("export_campaign", "--tenant", "demo", "--campaign", str(rich.pk), "--output", str(path))
    with pytest.raises(CommandError, match="--as-name"):
        call_command("import_campaign", str(path), "--tenant", "demo", stdout=io.StringIO())
    with pytest.raises(CommandError, match="--create-tenant"):
        call_command("import_campaign", str(path), "--tenant", "nowhere", stdout=io.StringIO())
    out = io.StringIO()
    call_command("import_campaign", str(path), "--tenant", "demo", "--as-name", "副本", stdout=out)
    assert "imported 2026年度副本 into demo" in out.getvalue()


@pytest.mark.postgres
def test_restore_into_another_database(rich, tmp_path):
    """The way it is used: export here, migrate an empty database, import there by command with
    another DATABASE_URL and media root, export there, and compare."""
    import psycopg2

    from evaluation.management.commands.export_results import results_document
    from evaluation.selectors.results import latest_revision

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    original = tmp_path / "original.zip"
    campaign_export(campaign=rich, path=original)
    expected = results_document(latest_revision(rich))

    db = connection.settings_dict
    name = f"{db['NAME']}_restore"
    server = {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432, "user": db["USER"],
              "password": db["PASSWORD"] or None}
    admin = psycopg2.connect(dbname="postgres", **server)
    admin.autocommit = True
    auth = f"{db['USER']}:{db['PASSWORD']}@" if db["PASSWORD"] else f"{db['USER']}@"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgres://{auth}{server['host']}:{server['port']}/{name}",
        "MEDIA_ROOT": str(tmp_path / "other-media"),
    }

    def manage(*args) -> str:
        done = subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        manage("migrate", "-v", "0")
        mapping = tmp_path / "map.json"
        out = manage("import_campaign", str(original), "--tenant", "restored", "--create-tenant",
                     "--map-output", str(mapping))
        assert "created users: " in out and "no password" in out  # another database: people are new
        copy = tmp_path / "copy.zip"
        manage("export_campaign", "--tenant", "restored", "--campaign", "2026", "--output", str(copy))
        restored = json.loads(manage("export_results", "--tenant", "restored", "--year", "2026"))
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

    assert archive_differences(original, copy, json.loads(mapping.read_text())) == []
    assert (restored["revision"], restored["fingerprint"], restored["units"]) == (
        expected["revision"], expected["fingerprint"], expected["units"])
    assert sorted((tmp_path / "other-media").rglob("*.pdf"))  # the files landed in the other media root
