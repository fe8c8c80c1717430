"""The audit trail (审计日志) and the triggers that keep it append-only.

PostgreSQL: BEFORE UPDATE OR DELETE, for each row, raises; this also refuses raw SQL and the
DELETE of a cascade (a tenant's deletion). TRUNCATE fires no row trigger, so the test database's
flush still works. SQLite (the embedded mode): UPDATE only, like reporting's frozen-revision
triggers; deletes there are refused by the model and its queryset, and leaving them to it keeps
the test database's flush (DELETE FROM on SQLite) working.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

PG_FORWARD = """
CREATE OR REPLACE FUNCTION evaluation_refuse_audit_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % of audit event % refused', TG_OP, OLD.id
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER evaluation_auditevent_append_only
    BEFORE UPDATE OR DELETE ON evaluation_auditevent
    FOR EACH ROW EXECUTE FUNCTION evaluation_refuse_audit_change();
"""

PG_REVERSE = """
DROP TRIGGER IF EXISTS evaluation_auditevent_append_only ON evaluation_auditevent;
DROP FUNCTION IF EXISTS evaluation_refuse_audit_change();
"""

SQLITE_FORWARD = """
CREATE TRIGGER evaluation_auditevent_no_update BEFORE UPDATE ON evaluation_auditevent
FOR EACH ROW BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: UPDATE refused'); END
"""

SQLITE_REVERSE = "DROP TRIGGER IF EXISTS evaluation_auditevent_no_update"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_REVERSE, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_REVERSE)


class Migration(migrations.Migration):

    dependencies = [
        ('evaluation', '0005_year_work'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('actor_name', models.CharField(blank=True, max_length=200, verbose_name='操作人')),
                ('actor_role', models.CharField(blank=True, max_length=30, verbose_name='角色')),
                ('at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='时间')),
                ('action', models.CharField(db_index=True, max_length=60, verbose_name='操作')),
                ('object_type', models.CharField(blank=True, max_length=60)),
                ('object_id', models.CharField(blank=True, max_length=64)),
                ('object_label', models.CharField(blank=True, max_length=300, verbose_name='对象')),
                ('before', models.JSONField(blank=True, null=True, verbose_name='变更前')),
                ('after', models.JSONField(blank=True, null=True, verbose_name='变更后')),
                ('reason', models.TextField(blank=True, verbose_name='理由')),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('campaign', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='evaluation.campaign')),
                ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='evaluation.tenant')),
                ('unit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='evaluation.unit')),
            ],
            options={
                'ordering': ['-at', '-id'],
                'indexes': [models.Index(fields=['tenant', 'campaign', 'at'], name='audit_tenant_campaign_at'), models.Index(fields=['tenant', 'unit', 'at'], name='audit_tenant_unit_at')],
            },
        ),
        migrations.RunPython(forward, reverse),
    ]
