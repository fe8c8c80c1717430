"""Benchmark of the bulletins (通报): PDF and Excel for 2,000 units, timed.

    python bench/bulletin_bench.py [--units 2000] [--seed 8] [--scorecards 0]

Uses the database named by DATABASE_URL (default: a fresh SQLite file under var/bench/);
the database is migrated, then a tenant with ``--units`` units is written, their results
computed by the scoring engine on worked example A's scheme with deterministic, varied inputs
(``random.Random(seed)``), and stored as one revision. Then times, each once:
``render_bulletin_pdf`` (WeasyPrint) and ``render_bulletin_xlsx`` (openpyxl), and optionally
the score cards of the first ``--scorecards`` units. Targets: PDF ≤ 60 s, Excel ≤ 10 s.
On PostgreSQL use a throwaway database, e.g.
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/kaoping_bench``; the bench tenant is
replaced on every run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--scorecards", type=int, default=0, help="also time the score cards of this many units")
    parser.add_argument("--out", default=str(ROOT / "var" / "bench"), help="where the files are written")
    args = parser.parse_args()

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if not os.environ.get("DATABASE_URL"):
        database = out / "bulletin_bench.sqlite3"
        database.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)

    from evaluation.models import Tenant
    from reporting.selectors.results import revision_rows
    from reporting.services import rendering
    from reporting.tests import builders

    Tenant.objects.filter(slug="bulletin-bench").delete()  # an earlier run's tenant (never published)
    tenant = Tenant.objects.create(slug="bulletin-bench", name="基准测试效能办", office_name="基准测试市机关效能建设领导小组办公室")
    started = time.perf_counter()
    revision = builders.synthetic(tenant, args.units, seed=args.seed)
    setup = time.perf_counter() - started
    rows = revision_rows(revision)
    print(f"database: {connection.vendor}; units: {len(rows)} in "
          f"{len({r.category_code for r in rows})} categories (computed and stored in {setup:.1f} s)")

    # wall time is what the office waits; CPU time shows how much of it was other processes' load
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")
    wall, cpu = time.perf_counter(), time.process_time()
    pdf = rendering.render_bulletin_pdf(revision)
    pdf_wall, pdf_cpu = time.perf_counter() - wall, time.process_time() - cpu
    (out / "bulletin.pdf").write_bytes(pdf)

    wall, cpu = time.perf_counter(), time.process_time()
    xlsx = rendering.render_bulletin_xlsx(revision)
    xlsx_wall, xlsx_cpu = time.perf_counter() - wall, time.process_time() - cpu
    (out / "bulletin.xlsx").write_bytes(xlsx)

    info = subprocess.run(  # noqa: S603 (a fixed tool on our own file)
        ["pdfinfo", str(out / "bulletin.pdf")], capture_output=True, text=True, check=False  # noqa: S607
    ).stdout
    pages = next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), "?")
    print(f"bulletin PDF:   {pdf_wall:6.1f} s wall, {pdf_cpu:6.1f} s CPU  ({len(pdf) / 1e6:.1f} MB, {pages} pages)  "
          "target ≤ 60 s")
    print(f"bulletin Excel: {xlsx_wall:6.1f} s wall, {xlsx_cpu:6.1f} s CPU  ({len(xlsx) / 1e6:.1f} MB)  target ≤ 10 s")
    if args.scorecards:
        ids = [r.unit_id for r in rows[: args.scorecards]]
        started = time.perf_counter()
        cards = rendering.render_scorecards_pdf(revision, unit_ids=ids)
        seconds = time.perf_counter() - started
        (out / "scorecards.pdf").write_bytes(cards)
        print(f"score cards:    {seconds:6.1f} s  for {len(ids)} units ({len(cards) / 1e6:.1f} MB)")
    print(f"files in {out}")


if __name__ == "__main__":
    main()
