"""Benchmark of survey intake (测评录入): paper sheets and e-poll responses over HTTP.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kaoping_survey_bench \
        python bench/survey_intake.py [--paper 10207] [--epoll 6155] [--clients 8] [--workers 4]

Shenzhen's 2010 survey: 10,207 paper questionnaires from 14 survey points and 6,155 citizens
online. The script migrates the (throwaway) PostgreSQL database named by DATABASE_URL, creates
a tenant with a 20-unit questionnaire and 14 survey-point strata, starts gunicorn on loopback,
then sends:

* every paper sheet as one ``POST /api/t/<slug>/surveys/batches/<id>/sheets/`` by an office
  clerk (session cookie + CSRF header, as the entry page's script would), 14 batches spread over
  ``--clients`` threads, each on one keep-alive connection;
* every e-poll response as a new device: ``GET /p/api/s/<id>/`` (nonce and device cookie) then
  ``POST /p/api/s/<id>/responses/``, with the survey's per-IP limit switched off because every
  client is 127.0.0.1.

It prints the rate of each and checks the database holds exactly the counts sent. Loopback
only; the run is bounded by the counts given.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

UNITS = 20
STRATA = 14


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def setup_world():
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import connection
    from django.middleware.csrf import _get_new_csrf_string

    if connection.vendor != "postgresql":
        sys.exit("DATABASE_URL must name a PostgreSQL database")
    call_command("migrate", verbosity=0)
    from evaluation.models import Campaign, Tenant
    from evaluation.roles import Role
    from surveys.models import Survey
    from surveys.services.setup import questionnaire_create, stratum_create, survey_create
    from tests import factories

    Tenant.objects.filter(slug="bench-surveys").delete()
    tenant = factories.make_tenant("bench-surveys", "压力测试效能办")
    units = [factories.make_unit(tenant, f"B{i:02d}", f"单位{i:02d}") for i in range(UNITS)]
    campaign = Campaign.objects.create(tenant=tenant, year=2010, name="绩效评估")
    category = factories.make_category(campaign)
    for unit in units:
        factories.enrol(campaign, unit, category)
    user = get_user_model().objects.filter(username="bench-clerk").first() or factories.make_user("bench-clerk")
    factories.make_member(tenant, Role.OFFICE_ADMIN, user=user)
    paper = survey_create(campaign=campaign, key="public", name="公众满意度调查")
    paper_q = questionnaire_create(survey=paper, name="纸质问卷", units=units)
    strata = [stratum_create(survey=paper, code=f"P{i:02d}", name=f"调查点{i:02d}", quota=730) for i in range(STRATA)]
    online = survey_create(campaign=campaign, key="epoll", name="网上评议", epoll_enabled=True,
                           purpose="仅用于统计满意度,不收集个人信息。")
    Survey.objects.filter(pk=online.pk).update(ip_hourly_limit=0)
    online_q = questionnaire_create(survey=online, name="网上问卷", units=units)

    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return {
        "slug": tenant.slug,
        "paper_survey": paper.pk,
        "paper_q": paper_q.pk,
        "paper_questions": list(paper_q.questions.values_list("id", flat=True)),
        "paper_options": list(paper_q.options.values_list("id", flat=True)),
        "strata": [s.pk for s in strata],
        "online": str(online.public_id),
        "online_q": online_q.pk,
        "online_questions": list(online_q.questions.values_list("id", flat=True)),
        "online_options": list(online_q.options.values_list("id", flat=True)),
        "session": session.session_key,
        "csrf": _get_new_csrf_string(),
    }


class Client:
    """One keep-alive HTTP connection to the server."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, body=None, headers=None):
        payload = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json", **(headers or {})}
        for attempt in range(2):
            try:
                self.conn.request(method, path, payload, headers)
                response = self.conn.getresponse()
                return response.status, response.read(), response.getheader("Set-Cookie") or ""
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt:
                    raise
        raise AssertionError("unreachable")


def run_paper(port: int, world: dict, total: int, clients: int) -> tuple[float, list[str]]:
    cookie = f"sessionid={world['session']}; csrftoken={world['csrf']}"
    headers = {"Cookie": cookie, "X-CSRFToken": world["csrf"]}
    setup = Client(port)
    batches = []
    for i, stratum in enumerate(world["strata"]):
        status, body, _ = setup.request(
            "POST", f"/api/t/{world['slug']}/surveys/{world['paper_survey']}/batches/",
            {"questionnaire": world["paper_q"], "stratum": stratum, "label": f"P{i:02d}-001"}, headers,
        )
        assert status == 201, body
        batches.append(json.loads(body)["id"])
    # 10,207 sheets over 14 survey points, as evenly as they divide
    sizes = [total // len(batches) + (1 if i < total % len(batches) else 0) for i in range(len(batches))]
    jobs = [(batch, n) for batch, size in zip(batches, sizes, strict=True) for n in range(1, size + 1)]
    errors: list[str] = []
    rng = random.Random(7)
    payloads = [
        {"sheet_no": n, "answers": {str(q): rng.choice(world["paper_options"]) for q in world["paper_questions"]}}
        for _batch, n in jobs
    ]

    def worker(index: int) -> None:
        client = Client(port)
        for i in range(index, len(jobs), clients):
            batch, _n = jobs[i]
            status, body, _ = client.request(
                "POST", f"/api/t/{world['slug']}/surveys/batches/{batch}/sheets/", payloads[i], headers
            )
            if status != 201:
                errors.append(f"{status} {body[:200]!r}")

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started, errors


def run_epoll(port: int, world: dict, total: int, clients: int) -> tuple[float, list[str]]:
    errors: list[str] = []
    base = f"/p/api/s/{world['online']}/"

    def worker(index: int) -> None:
        client = Client(port)
        rng = random.Random(index)
        for _ in range(index, total, clients):
            status, body, set_cookie = client.request("GET", base)
            if status != 200:
                errors.append(f"GET {status}")
                continue
            device = set_cookie.split(";", 1)[0]  # a new device each time: no cookie was sent
            nonce = json.loads(body)["nonce"]
            answers = {str(q): rng.choice(world["online_options"]) for q in world["online_questions"]}
            status, body, _ = client.request(
                "POST", base + "responses/", {"questionnaire": world["online_q"], "answers": answers, "nonce": nonce},
                {"Cookie": device},
            )
            if status != 201:
                errors.append(f"POST {status} {body[:200]!r}")

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--paper", type=int, default=10207)
    parser.add_argument("--epoll", type=int, default=6155)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("set DATABASE_URL to a throwaway PostgreSQL database")
    world = setup_world()
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 - fixed argv, loopback only
        [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(args.workers),
         "--threads", "2", "--log-level", "warning"],
        cwd=ROOT, env={**os.environ, "DEBUG": "false"},
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        paper_seconds, paper_errors = run_paper(port, world, args.paper, args.clients)
        epoll_seconds, epoll_errors = run_epoll(port, world, args.epoll, args.clients)
    finally:
        server.terminate()
        server.wait(timeout=20)
    from surveys.models import Answer, Response

    paper_n = Response.objects.filter(survey_id=world["paper_survey"]).count()
    online_n = Response.objects.filter(survey__public_id=world["online"]).count()
    answers = Answer.objects.filter(response__survey__campaign__tenant__slug=world["slug"]).count()
    print(f"server: gunicorn, {args.workers} workers × 2 threads; clients: {args.clients} threads; PostgreSQL")
    print(f"paper : {args.paper} sheets in {paper_seconds:.1f} s = {args.paper / paper_seconds:.0f} sheets/s "
          f"({len(paper_errors)} errors); stored {paper_n}")
    print(f"e-poll: {args.epoll} responses in {epoll_seconds:.1f} s = {args.epoll / epoll_seconds:.0f} responses/s "
          f"(GET + POST each; {len(epoll_errors)} errors); stored {online_n}")
    print(f"answers stored: {answers} ({UNITS} units per questionnaire)")
    for error in (paper_errors + epoll_errors)[:5]:
        print("  error:", error)
    if paper_n != args.paper or online_n != args.epoll:
        sys.exit("stored counts differ from the counts sent")


if __name__ == "__main__":
    main()
