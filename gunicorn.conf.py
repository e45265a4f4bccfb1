"""gunicorn settings for production: `gunicorn app:server` reads this file from the working directory.

Everything here can be overridden on the command line or with GUNICORN_CMD_ARGS; the usual knobs also come from
the environment: WEB_CONCURRENCY (workers), GUNICORN_THREADS (threads per worker), HOST and PORT (the address,
as for the development server; 0.0.0.0 in a container), FORWARDED_ALLOW_IPS (gunicorn's own: which proxies may
say the request came over https).

Why these choices:
- preload_app: the app is built once in the master (schema check, demo data on an empty store, Dash's first-request
  set-up), then forked, so workers start in milliseconds, share that memory copy-on-write, and never race each
  other to prepare an empty store. The master's database connections are closed before each fork.
- gthread workers, (2 x cores + 1) of them with 2 threads each: callbacks are mostly pandas and plotly (CPU), so
  processes give the parallelism; two threads let a worker overlap a store or cache round trip with other work and
  keep browser connections alive. Compare other settings on your hosts with `bench/run --workers N --threads N`.
- max_requests with jitter: a worker is replaced after about 5,000 requests, so memory that pandas fragments is
  given back, without all workers restarting at once. A replacement is forked from the warm master (only what a
  loader keeps in one process's memory, such as the sufficiency tool's prepared rows, is read again).
- Logs: gunicorn's own lines in the app's format (JSON by default, LOG_FORMAT=text for a terminal); the app logs
  each request itself (with its id, time and user id), so gunicorn's access log is off.
"""
import logging
import multiprocessing
import os
import resource

from dashboard.config import settings_from_env
from dashboard.logs import gunicorn_logconfig

_settings = settings_from_env()

bind = [f"{_settings.host}:{_settings.port}"]
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS") or 2)
preload_app = True
timeout = 60               # an upload of the largest allowed file is parsed and checked well within this
graceful_timeout = 30
keepalive = 5
max_requests = 5000
max_requests_jitter = 500
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # heartbeat file off the (maybe slow) disk
accesslog = None
errorlog = "-"
loglevel = _settings.log_level.lower()
logconfig_dict = gunicorn_logconfig(_settings.log_format, _settings.log_level)
proc_name = "lcsd"


def when_ready(server):
    """Before the first fork: hand back to the system the heap the master has freed. Filling an empty store with
    demo data leaves about 300 MB freed but held by the allocator (583 MB RSS, 285 MB after this, 175 MB on a filled
    store): each worker would inherit it, count it in its RSS and write its own objects into it page by page."""
    import gc

    from dashboard.warming import hand_back_freed_memory
    gc.collect()
    hand_back_freed_memory()


def pre_fork(server, worker):
    """Close the master's database connections: a forked child must never share a socket with another process."""
    from dashboard.store import get_engine
    get_engine().dispose()


def post_fork(server, worker):
    from dashboard.store import get_engine
    get_engine().dispose(close=False)  # belt and braces: forget any pooled connection inherited from the master


def post_worker_init(worker):
    """Count this worker's cache hits from zero (the master's warm-up made some before the fork), and start the
    worker's view-warming thread (here, not in the preloaded master: a thread does not survive the fork, and the
    master's connections are closed before it)."""
    from dashboard.resilience import ResilientCache
    from dashboard.warming import start_view_warming
    for backend in getattr(worker.wsgi, "extensions", {}).get("cache", {}).values():
        if isinstance(backend, ResilientCache):
            backend.reset_counts()
    start_view_warming(worker.wsgi)


def worker_exit(server, worker):
    """One line per worker as it stops: its cache hits and misses and peak memory (the benchmark adds these up)."""
    from dashboard.resilience import cache_counts
    counts = cache_counts(worker.wsgi) if getattr(worker, "wsgi", None) is not None else {}
    logging.getLogger("dashboard.worker").info("worker %s stopping", worker.pid, extra={
        "event": "worker_exit", "worker_pid": worker.pid, "requests": getattr(worker, "nr", None),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1), **counts})

