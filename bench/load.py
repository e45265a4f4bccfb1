"""Simulated members changing a page's main filter, as their browsers would call the callback.

Each simulated user is a thread with its own signed-in session and keep-alive connection. It sends the filter
change, waits for the whole answer, then (with more than one user) pauses for a think time drawn uniformly
from `think` seconds (default 0.5 to 1.5 s: someone clicking through a dropdown), and again. With one user
there is no pause: that level measures the server's own time per request. Latency is measured by the client:
request sent to the last byte of the answer, on loopback.
"""
from __future__ import annotations

import http.client
import random
import re
import statistics
import threading
import time
import urllib.parse
from dataclasses import dataclass

import requests


@dataclass
class LoadResult:
    users: int
    latencies_ms: list[float]
    errors: int
    seconds: float
    error_samples: list[str]
    sizes: list[int]        # bytes of each answer as sent (compressed where the server compressed it)

    @property
    def n(self) -> int:
        return len(self.latencies_ms)

    def pct(self, q: float) -> float:
        return percentile(self.latencies_ms, q)

    @property
    def throughput(self) -> float:
        return self.n / self.seconds if self.seconds else 0.0


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return ordered[rank - 1]


# Accounts whose role needs two-step sign-in are enrolled by the bench; each sign-in spends one of their recovery
# codes, so no sign-in waits for the authenticator's next 30-second code.
_RECOVERY_CODES: dict[str, list[str]] = {}


def enrol_second_step(engine, email: str) -> None:
    """Set up two-step sign-in for a bench account whose role needs it (a fresh secret and recovery codes)."""
    from sqlalchemy import select

    from dashboard.auth import mfa
    from dashboard.store import schema
    with engine.connect() as conn:
        user_id = conn.execute(select(schema.app_user.c.id).where(schema.app_user.c.email == email)).scalar_one()
    _RECOVERY_CODES[email] = mfa.enrol(engine, user_id, email, mfa.new_secret())


def second_step_code(email: str) -> str:
    codes = _RECOVERY_CODES.get(email)
    if not codes:
        raise RuntimeError(f"{email} has no recovery codes left for two-step sign-in")
    return codes.pop()


def _csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(base_url: str, email: str, password: str) -> str:
    """A signed-in session's Cookie header (with the second step where the account's role needs it)."""
    session = requests.Session()
    page = session.get(base_url + "/login", timeout=60)
    response = session.post(base_url + "/login", data={"csrf_token": _csrf_token(page.text), "email": email,
                                                       "password": password, "next": "/"},
                            allow_redirects=False, timeout=60)
    if response.status_code == 302 and "/login/code" in response.headers.get("Location", ""):
        page = session.get(base_url + "/login/code", timeout=60)
        response = session.post(base_url + "/login/code", data={"csrf_token": _csrf_token(page.text),
                                                                "code": second_step_code(email)},
                                allow_redirects=False, timeout=60)
    if response.status_code != 302 or "/login" in response.headers.get("Location", ""):
        raise RuntimeError(f"sign-in as {email} failed: HTTP {response.status_code} to "
                           f"{response.headers.get('Location')}")
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


class _User(threading.Thread):
    def __init__(self, base_url, cookie, payloads, think, stop_at, min_requests, results, errors, seed, sizes):
        super().__init__(daemon=True)
        parsed = urllib.parse.urlparse(base_url)
        self.host, self.port = parsed.hostname, parsed.port
        self.cookie, self.payloads, self.think = cookie, payloads, think
        self.stop_at, self.min_requests = stop_at, min_requests
        self.results, self.errors, self.sizes = results, errors, sizes
        self.random = random.Random(seed)

    def run(self):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
        headers = {"Content-Type": "application/json", "Cookie": self.cookie, "Accept-Encoding": "gzip, br"}
        sent = 0
        index = self.random.randrange(len(self.payloads))
        while time.perf_counter() < self.stop_at or sent < self.min_requests:
            body = self.payloads[index % len(self.payloads)]
            index += 1
            started = time.perf_counter()
            try:
                connection.request("POST", "/_dash-update-component", body=body, headers=headers)
                response = connection.getresponse()
                body = response.read()
                elapsed = (time.perf_counter() - started) * 1000
                if response.status in (200, 204):   # 204: nothing changed, so nothing sent (a valid answer)
                    self.results.append(elapsed)
                    self.sizes.append(len(body))
                else:
                    self.errors.append(f"HTTP {response.status}")
            except (OSError, http.client.HTTPException) as error:
                self.errors.append(f"{type(error).__name__}: {error}")
                connection.close()
                connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
            sent += 1
            if self.think and time.perf_counter() < self.stop_at:
                time.sleep(self.random.uniform(*self.think))
        connection.close()


def run_load(base_url: str, cookies: list[str], payloads: list[bytes], users: int, seconds: float,
             think: tuple[float, float] = (0.5, 1.5), min_requests: int = 0) -> LoadResult:
    """`users` simulated users for `seconds` (each sends at least `min_requests`)."""
    results: list[float] = []
    errors: list[str] = []
    sizes: list[int] = []
    think_time = think if users > 1 else None
    started = time.perf_counter()
    stop_at = started + seconds
    threads = [_User(base_url, cookies[i % len(cookies)], payloads, think_time, stop_at, min_requests, results, errors, i,
                     sizes)
               for i in range(users)]
    for i, thread in enumerate(threads):
        thread.start()
        if think_time:
            time.sleep(think_time[1] / users)  # users arrive spread over one think time, not all in the same instant
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return LoadResult(users, results, len(errors), elapsed, sorted(set(errors))[:3], sizes)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")
