"""Start gunicorn (the production setup: gunicorn.conf.py) on a loopback port, watch its log, stop it."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_status(url: str, timeout: float = 5.0) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (OSError, urllib.error.URLError):
        return None


class Gunicorn:
    """One gunicorn master with its workers; its JSON log lines are kept (requests only counted)."""

    def __init__(self, env: dict, workers: int, threads: int, port: int = 0):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **env, "HOST": "127.0.0.1", "PORT": str(self.port), "WEB_CONCURRENCY": str(workers),
                    "GUNICORN_THREADS": str(threads), "LOG_FORMAT": "json", "PYTHONUNBUFFERED": "1"}
        self.workers, self.threads = workers, threads
        self.lines: list[dict] = []
        self.other_lines: list[str] = []
        self.requests_logged = 0
        self.process: subprocess.Popen | None = None
        self.started_at = 0.0

    def start(self) -> None:
        self.started_at = time.perf_counter()
        self.process = subprocess.Popen([sys.executable, "-m", "gunicorn", "app:server"], cwd=ROOT, env=self.env,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        for raw in self.process.stdout:
            try:
                entry = json.loads(raw)
            except ValueError:
                self.other_lines.append(raw.rstrip())
                continue
            if entry.get("event") == "request":
                self.requests_logged += 1
            else:
                self.lines.append(entry)

    def wait_for(self, path: str, timeout: float = 600) -> float:
        """Seconds from start until `path` first answers 200."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited:\n" + "\n".join(self.other_lines[-30:]) +
                                   "\n".join(json.dumps(x) for x in self.lines[-10:]))
            if http_status(self.url + path, timeout=30) == 200:
                return time.perf_counter() - self.started_at
            time.sleep(0.05)
        raise TimeoutError(f"{path} did not answer 200 within {timeout} s")

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(p) for p in children.read_text().split()]
        except OSError:
            return []

    def memory(self) -> dict:
        """RSS and PSS (the fair share of pages shared copy-on-write with the master) per worker, in MB."""
        result = {}
        for pid in [self.process.pid] + self.worker_pids():
            result[pid] = {"rss": _proc_kb(pid, "status", "VmRSS") / 1024, "pss": _proc_kb(pid, "smaps_rollup", "Pss") / 1024,
                           "master": pid == self.process.pid}
        return result

    def stop(self) -> list[dict]:
        """Graceful stop (workers log their cache counts on the way out); returns the worker_exit lines."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        time.sleep(0.3)
        return [e for e in self.lines if e.get("event") == "worker_exit"]

    def errors(self) -> list[dict]:
        return [e for e in self.lines if e.get("level") in ("ERROR", "CRITICAL")]


def _proc_kb(pid: int, name: str, field: str) -> float:
    try:
        for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
            if line.startswith(field + ":"):
                return float(line.split()[1])
    except OSError:
        pass
    return float("nan")
