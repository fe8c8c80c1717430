"""Database triggers: a published result revision refuses change (结果冻结).

PostgreSQL: BEFORE INSERT/UPDATE/DELETE on unit results, BEFORE UPDATE/DELETE on revisions and
published publications. SQLite (the embedded mode): INSERT and UPDATE only, which closes the gap
the Python guard cannot see (QuerySet.update, bulk_create); deletes there are refused by the
guard in reporting/guards.py, and leaving them to it keeps the test database's flush working.
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION reporting_refuse_frozen_unitresult() RETURNS trigger AS $$
BEGIN
    IF (TG_OP IN ('UPDATE', 'DELETE') AND EXISTS (
            SELECT 1 FROM reporting_publication
            WHERE revision_id = OLD.revision_id AND status = 'published'))
       OR (TG_OP IN ('INSERT', 'UPDATE') AND EXISTS (
            SELECT 1 FROM reporting_publication
            WHERE revision_id = NEW.revision_id AND status = 'published')) THEN
        RAISE EXCEPTION 'published result revision is frozen: % on unit result refused', TG_OP
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER reporting_frozen_unitresult
    BEFORE INSERT OR UPDATE OR DELETE ON evaluation_unitresult
    FOR EACH ROW EXECUTE FUNCTION reporting_refuse_frozen_unitresult();

CREATE OR REPLACE FUNCTION reporting_refuse_frozen_revision() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM reporting_publication WHERE revision_id = OLD.id AND status = 'published') THEN
        RAISE EXCEPTION 'published result revision % is frozen: % refused', OLD.id, TG_OP
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER reporting_frozen_revision
    BEFORE UPDATE OR DELETE ON evaluation_resultrevision
    FOR EACH ROW EXECUTE FUNCTION reporting_refuse_frozen_revision();

CREATE OR REPLACE FUNCTION reporting_refuse_published_publication() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'published' THEN
        RAISE EXCEPTION 'publication % is published and final: % refused', OLD.id, TG_OP
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER reporting_published_publication
    BEFORE UPDATE OR DELETE ON reporting_publication
    FOR EACH ROW EXECUTE FUNCTION reporting_refuse_published_publication();
"""

PG_REVERSE = """
DROP TRIGGER IF EXISTS reporting_published_publication ON reporting_publication;
DROP FUNCTION IF EXISTS reporting_refuse_published_publication();
DROP TRIGGER IF EXISTS reporting_frozen_revision ON evaluation_resultrevision;
DROP FUNCTION IF EXISTS reporting_refuse_frozen_revision();
DROP TRIGGER IF EXISTS reporting_frozen_unitresult ON evaluation_unitresult;
DROP FUNCTION IF EXISTS reporting_refuse_frozen_unitresult();
"""

SQLITE_FORWARD = [
    """
    CREATE TRIGGER reporting_frozen_unitresult_insert BEFORE INSERT ON evaluation_unitresult
    FOR EACH ROW WHEN EXISTS (SELECT 1 FROM reporting_publication
        WHERE revision_id = NEW.revision_id AND status = 'published')
    BEGIN SELECT RAISE(ABORT, 'published result revision is frozen: INSERT on unit result refused'); END
    """,
    """
    CREATE TRIGGER reporting_frozen_unitresult_update BEFORE UPDATE ON evaluation_unitresult
    FOR EACH ROW WHEN EXISTS (SELECT 1 FROM reporting_publication
        WHERE revision_id IN (OLD.revision_id, NEW.revision_id) AND status = 'published')
    BEGIN SELECT RAISE(ABORT, 'published result revision is frozen: UPDATE on unit result refused'); END
    """,
    """
    CREATE TRIGGER reporting_frozen_revision_update BEFORE UPDATE ON evaluation_resultrevision
    FOR EACH ROW WHEN EXISTS (SELECT 1 FROM reporting_publication
        WHERE revision_id = OLD.id AND status = 'published')
    BEGIN SELECT RAISE(ABORT, 'published result revision is frozen: UPDATE refused'); END
    """,
    """
    CREATE TRIGGER reporting_published_publication_update BEFORE UPDATE ON reporting_publication
    FOR EACH ROW WHEN OLD.status = 'published'
    BEGIN SELECT RAISE(ABORT, 'publication is published and final: UPDATE refused'); END
    """,
]

SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS reporting_frozen_unitresult_insert",
    "DROP TRIGGER IF EXISTS reporting_frozen_unitresult_update",
    "DROP TRIGGER IF EXISTS reporting_frozen_revision_update",
    "DROP TRIGGER IF EXISTS reporting_published_publication_update",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_REVERSE, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_REVERSE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0001_initial"),
        ("evaluation", "0005_year_work"),
    ]

    operations = [migrations.RunPython(forward, reverse)]
