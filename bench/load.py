"""A small HTTP load generator for loopback benchmarks: N client threads, latencies per request.

Each client thread keeps one ``http.client`` connection (gunicorn's sync workers close it after
every response; ``http.client`` then reconnects by itself, so connection set-up is part of each
latency, as it is for a browser talking to a sync worker without a proxy in front).
"""

from __future__ import annotations

import http.client
import itertools
import json
import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    expect: int = 200


@dataclass
class Reply:
    status: int
    body: bytes
    headers: http.client.HTTPMessage


@dataclass
class LoadResult:
    """Latencies (seconds) of the requests that got the expected status, and what went wrong."""

    requests: int
    seconds: float
    latencies: list[float]
    errors: list[str]
    bytes_received: int
    cpu: dict[str, float] = field(default_factory=dict)

    @classmethod
    def joined(cls, parts: list[LoadResult]) -> LoadResult:
        """Several runs of the same requests as one: counts, times, latencies and CPU added up."""
        cpu: dict[str, float] = {}
        for part in parts:
            for name, seconds in part.cpu.items():
                cpu[name] = round(cpu.get(name, 0.0) + seconds, 2)
        return cls(sum(p.requests for p in parts), sum(p.seconds for p in parts),
                   [x for p in parts for x in p.latencies], [x for p in parts for x in p.errors],
                   sum(p.bytes_received for p in parts), cpu)

    @property
    def ok(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float | None:
        """Nearest-rank percentile in seconds (p in 0..100)."""
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        return ordered[max(math.ceil(p / 100 * len(ordered)) - 1, 0)]

    def summary(self) -> dict:
        def ms(value: float | None) -> float | None:
            return None if value is None else round(value * 1000, 1)

        return {
            "requests": self.requests,
            "ok": self.ok,
            "errors": len(self.errors),
            "error_samples": self.errors[:5],
            "seconds": round(self.seconds, 3),
            "rate_per_s": round(self.rate, 1),
            "p50_ms": ms(self.percentile(50)),
            "p95_ms": ms(self.percentile(95)),
            "p99_ms": ms(self.percentile(99)),
            "max_ms": ms(max(self.latencies) if self.latencies else None),
            "mean_bytes": round(self.bytes_received / max(self.ok, 1)),
            **({"cpu_seconds": self.cpu} if self.cpu else {}),
        }


def json_request(method: str, path: str, payload, *, headers: dict[str, str] | None = None, expect: int = 200) -> Request:
    return Request(method, path, json.dumps(payload).encode(), {"Content-Type": "application/json", **(headers or {})},
                   expect)


class _Connection:
    def __init__(self, port: int, timeout: float) -> None:
        self.port = port
        self.timeout = timeout
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def send(self, request: Request) -> Reply:
        for attempt in range(2):
            try:
                self.conn.request(request.method, request.path, request.body, request.headers)
                response = self.conn.getresponse()
                return Reply(response.status, response.read(), response.headers)
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # the server closed a kept-alive connection between two requests: once more, fresh
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                if attempt:
                    raise
        raise AssertionError("unreachable")


def run_load(
    port: int,
    request_for: Callable[[int], Request],
    *,
    total: int,
    clients: int,
    on_reply: Callable[[int, Reply], None] | None = None,
    timeout: float = 300.0,
    max_seconds: float | None = None,
    cpu_of: dict[str, int] | None = None,
) -> LoadResult:
    """Send requests ``request_for(0 … total-1)`` from ``clients`` threads, as fast as answered;
    with ``max_seconds``, no new request starts after that long (each client sends at least one).

    ``cpu_of`` names processes (name → pid) whose CPU seconds, with their children's, are
    recorded over the run: on a shared machine they tell the server's work from the wait.
    """
    counter = itertools.count()
    latencies: list[float] = []
    errors: list[str] = []
    received = [0]
    lock = threading.Lock()
    run_started = [0.0]

    def client() -> None:
        connection = _Connection(port, timeout)
        while True:
            index = next(counter)  # itertools.count is atomic under the GIL
            if index >= total:
                return
            if max_seconds is not None and index >= clients and time.perf_counter() - run_started[0] > max_seconds:
                return
            request = request_for(index)
            started = time.perf_counter()
            try:
                reply = connection.send(request)
            except OSError as exc:
                with lock:
                    errors.append(f"{request.method} {request.path}: {exc!r}")
                continue
            elapsed = time.perf_counter() - started
            with lock:
                received[0] += len(reply.body)
                if reply.status == request.expect:
                    latencies.append(elapsed)
                else:
                    errors.append(f"{request.method} {request.path}: {reply.status} {reply.body[:200]!r}")
            if on_reply is not None and reply.status == request.expect:
                on_reply(index, reply)

    meter = CpuMeter(cpu_of)
    started = run_started[0] = time.perf_counter()
    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return LoadResult(len(latencies) + len(errors), seconds, latencies, errors, received[0], meter.seconds())


# --- CPU accounting from /proc (Linux) ---

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def stat(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            text = handle.read()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # fields from the 3rd on (state, ppid, …)


def process_tree_cpu(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and its live children (and the children they reaped)."""
    total = 0.0
    try:
        pids = [int(name) for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return 0.0
    for candidate in pids:
        fields = stat(candidate)
        if fields is None:
            continue
        if candidate == pid or int(fields[1]) == pid:
            # utime, stime, cutime, cstime are fields 14-17 of the full line (11-14 here)
            total += sum(int(value) for value in fields[11:15]) / _TICKS
    return total


class CpuMeter:
    """CPU seconds of named processes (name → pid, each with its children) since it was made."""

    def __init__(self, processes: dict[str, int] | None) -> None:
        self.processes = processes or {}
        self.before = {name: process_tree_cpu(pid) for name, pid in self.processes.items()}

    def seconds(self) -> dict[str, float]:
        return {name: round(process_tree_cpu(pid) - self.before[name], 2) for name, pid in self.processes.items()}


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all CPUs since boot, from /proc/stat."""
    try:
        with open("/proc/stat") as handle:
            values = [int(v) for v in handle.readline().split()[1:]]
    except OSError:
        return 0.0, 0.0
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return float(sum(values) - idle), float(sum(values))


class BusyMeter:
    """How busy the whole machine was (in CPUs) between start and stop: our load and others'."""

    def __init__(self) -> None:
        self.busy0, self.total0 = machine_busy()

    def cpus(self) -> float | None:
        busy, total = machine_busy()
        if total <= self.total0:
            return None
        return round((busy - self.busy0) / (total - self.total0) * (os.cpu_count() or 1), 2)


def python_speed(rounds: int = 3) -> float:
    """Seconds of a fixed pure-Python workload of the product's kind (Decimal arithmetic, string
    formatting, dict updates), best of ``rounds``: how fast this machine runs such code today.
    Shared and virtual machines differ from day to day; figures of two runs compare only beside
    this one."""
    from decimal import Decimal

    cent = Decimal("0.01")

    def work() -> None:
        total, texts = Decimal(0), {}
        for i in range(200_000):
            value = Decimal(i % 997) / 7
            total += value.quantize(cent)
            texts[i % 1000] = f"{i}:{value:.2f}"

    best = math.inf
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return round(best, 3)
