"""The benchmark's database and servers: a PostgreSQL database of its own, a real Celery worker
and gunicorn on loopback, each a subprocess stopped by its own pid when the run ends."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/"
DEFAULT_REDIS = "redis://127.0.0.1:6379/15"


def database_url(database: str) -> str:
    """``database`` on the server of $DATABASE_URL (default: the machine's PostgreSQL)."""
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        base = DEFAULT_SERVER
    return urlunparse(urlparse(base)._replace(path=f"/{database}"))


def redis_url() -> str:
    return os.environ.get("REDIS_URL") or DEFAULT_REDIS


def _connect(url: str, dbname: str):
    import psycopg2

    parts = urlparse(url)
    return psycopg2.connect(
        dbname=dbname, user=parts.username or "postgres", password=parts.password or None,
        host=parts.hostname or "127.0.0.1", port=parts.port or 5432,
    )


def stored_markers(url: str) -> dict[str, dict] | None:
    """slug → params of the campaigns generated in the database, or None without a database."""
    import psycopg2

    name = urlparse(url).path.lstrip("/")
    try:
        connection = _connect(url, name)
    except psycopg2.OperationalError:
        return None
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('bench_minimal_dataset') IS NOT NULL")
            if not cursor.fetchone()[0]:
                return {}
            cursor.execute("SELECT slug, params FROM bench_minimal_dataset")
            return {slug: params for slug, params in cursor.fetchall()}
    finally:
        connection.close()


def recreate_database(url: str) -> None:
    """Drop (closing its connections) and create the benchmark database."""
    from psycopg2 import sql

    name = urlparse(url).path.lstrip("/")
    connection = _connect(url, "postgres")
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        connection.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Servers:
    """The Celery worker and gunicorn, started with the benchmark's environment."""

    def __init__(self, env: dict[str, str], out: Path, *, gunicorn_workers: int, celery_concurrency: int) -> None:
        self.env = env
        self.out = out
        self.gunicorn_workers = gunicorn_workers
        self.celery_concurrency = celery_concurrency
        self.worker: subprocess.Popen | None = None
        self.web: subprocess.Popen | None = None
        self.port = 0
        self.hostname = f"bench-{os.getpid()}@{socket.gethostname()}"
        self._logs: list = []

    def _log(self, name: str):
        handle = open(self.out / f"{name}.log", "w")  # noqa: SIM115 - closed in stop()
        self._logs.append(handle)
        return handle

    def start(self) -> None:
        self.start_worker()
        self.start_web()

    def start_worker(self) -> None:
        from config.celery import app

        log = self._log("worker")
        self.worker = subprocess.Popen(  # noqa: S603 - fixed argv
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork",
             f"--concurrency={self.celery_concurrency}", "--loglevel=WARNING", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "--hostname", self.hostname],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.worker.poll() is not None:
                raise RuntimeError(f"the Celery worker exited at start-up; see {self.out / 'worker.log'}")
            if app.control.ping(destination=[self.hostname], timeout=0.5):
                return
        raise RuntimeError("the Celery worker did not answer a ping within 90 s")

    def start_web(self) -> None:
        self.port = free_port()
        log = self._log("gunicorn")
        self.web = subprocess.Popen(  # noqa: S603 - fixed argv, loopback only
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(self.gunicorn_workers), "--worker-class", "sync", "--timeout", "300",
             "--log-level", "warning"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.web.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start-up; see {self.out / 'gunicorn.log'}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/accounts/login/", timeout=5) as reply:  # noqa: S310
                    if reply.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not serve the login page within 60 s")

    def stop(self) -> None:
        for process in (self.web, self.worker):
            if process is None or process.poll() is not None:
                continue
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # its own session: the group is ours alone
                process.wait(timeout=10)
        for handle in self._logs:
            handle.close()
        self._logs.clear()
