"""A Celery worker for tests/test_faults.py: the product's app, stopped part-way on purpose.

Started as ``celery -A tests.fault_worker worker`` with ``KAOPING_FAULT_PAUSE`` naming where the
worker stops, so that the test can kill it there by its PID:

* ``compute-write``: inside the transaction that writes a result revision, after the first half
  of the unit results has been inserted;
* ``bulletin-file``: while the bulletin file is written, after its first half reached the disk.

On reaching that point the worker writes a JSON marker to ``KAOPING_FAULT_MARKER`` (its database
backend's pid, the file's path) and sleeps until it is killed. Nothing of this is in the product's
code: the patches are installed here, in the worker process only.
"""

from __future__ import annotations

import io
import json
import os
import time
from pathlib import Path

import django

from config.celery import app

__all__ = ["app"]

PAUSE_SECONDS = 300


def _pause(**facts) -> None:
    marker = Path(os.environ["KAOPING_FAULT_MARKER"])
    marker.with_suffix(".tmp").write_text(json.dumps(facts))
    marker.with_suffix(".tmp").replace(marker)  # the test never reads half a marker
    time.sleep(PAUSE_SECONDS)


def _pause_in_revision_write() -> None:
    from django.db import connection

    from evaluation.models import UnitResult

    manager = UnitResult.objects  # Django hands out this same manager instance on every access
    original = manager.bulk_create

    def bulk_create(objs, *args, **kwargs):
        rows = list(objs)
        half = len(rows) // 2
        created = original(rows[:half], *args, **kwargs)
        _pause(backend_pid=connection.connection.info.backend_pid, inserted=half, rows=len(rows))
        return created + original(rows[half:], *args, **kwargs)

    manager.bulk_create = bulk_create

    # At scale the rows go in by COPY: send every size that way, and pause half-way through it.
    from evaluation.services import compute

    compute.COPY_MIN_ROWS = 1
    original_copy = compute._copy_in

    def copy_in(cursor, table, columns, source):
        if table != UnitResult._meta.db_table:
            return original_copy(cursor, table, columns, source)
        rows = b"".join(iter(lambda: source.read(1 << 20), b"")).split(b"\n")[:-1]
        half = len(rows) // 2
        original_copy(cursor, table, columns, io.BytesIO(b"".join(r + b"\n" for r in rows[:half])))
        _pause(backend_pid=connection.connection.info.backend_pid, inserted=half, rows=len(rows))
        return original_copy(cursor, table, columns, io.BytesIO(b"".join(r + b"\n" for r in rows[half:])))

    compute._copy_in = copy_in


def _pause_in_file_write() -> None:
    from django.core.files.storage import FileSystemStorage

    def _save(self, name, content):
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.read()
        path.write_bytes(data[: len(data) // 2])
        _pause(path=str(path), written=len(data) // 2, size=len(data))

    FileSystemStorage._save = _save


PAUSES = {"compute-write": _pause_in_revision_write, "bulletin-file": _pause_in_file_write}

django.setup()
PAUSES[os.environ["KAOPING_FAULT_PAUSE"]]()
