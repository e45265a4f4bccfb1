"""Structured logs: one JSON object per line on stderr, so a log shipper can index every field.

Every line has `ts` (UTC, ISO 8601), `level`, `logger`, `message`, the process id and, inside a request,
`request_id`; anything passed in `extra=` becomes a field of its own. Each request is logged once when its
response is ready (`event: request`, method, path, status, milliseconds, bytes, user id), and its id is sent
back in the `X-Request-ID` header so a member's report of "it failed at 10:42" can be found in the log.
Emails, passwords, query strings and request bodies are never logged (query strings may hold filters a
member considers private; the path and status are enough to find a request).
"""
from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import datetime, timezone

from flask import Flask, g, has_request_context, request

# Attributes every LogRecord has; anything else on a record came from `extra=` and is logged as a field.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")   # a proxy's id is reused only if it looks like one
QUIET_PREFIXES = ("/assets/", "/_dash-component-suites/", "/_favicon", "/favicon.ico")  # static files: DEBUG only


class JsonFormatter(logging.Formatter):
    """Formats a record as one line of JSON; values JSON cannot hold are written with str()."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        if has_request_context() and "request_id" in g:
            entry["request_id"] = g.request_id
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """For a developer's terminal: the same fields, one readable line."""

    def format(self, record: logging.LogRecord) -> str:
        extras = " ".join(f"{k}={v}" for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_"))
        line = f"{self.formatTime(record, '%H:%M:%S')} {record.levelname:<7} {record.name}: {record.getMessage()}"
        line = f"{line} {extras}" if extras else line
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def make_handler(log_format: str = "json", stream=None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(TextFormatter() if log_format == "text" else JsonFormatter())
    handler._lcsd = True  # marks our handler so configuring twice does not log every line twice
    return handler


def configure_logging(log_format: str = "json", level: str = "INFO", stream=None) -> None:
    """Send every logger's records to stderr in `log_format` ("json" or "text"); safe to call again."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_lcsd", False)]:
        root.removeHandler(handler)
    root.addHandler(make_handler(log_format, stream))
    root.setLevel(level.upper())
    # Werkzeug's development server writes its own access lines; ours already say the same in one format.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def gunicorn_logconfig(log_format: str = "json", level: str = "INFO") -> dict:
    """gunicorn's `logconfig_dict`: its own lines (start, worker boot, timeouts) in the same format as ours."""
    formatter = "dashboard.logs.TextFormatter" if log_format == "text" else "dashboard.logs.JsonFormatter"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"lcsd": {"()": formatter}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "lcsd", "stream": "ext://sys.stderr"}},
        "loggers": {
            "gunicorn.error": {"level": level.upper(), "handlers": ["stderr"], "propagate": False},
            "gunicorn.access": {"level": "WARNING", "handlers": ["stderr"], "propagate": False},  # the app logs requests
        },
        "root": {"level": level.upper(), "handlers": []},  # the app adds its own handler (configure_logging)
    }


request_log = logging.getLogger("dashboard.request")


def _user_id():
    # The user is loaded from the session by flask-login only if something asked for it already: never load it
    # here (that would be one more store query per request, and fails when the store is down).
    user = getattr(g, "_login_user", None)
    return getattr(user, "id", None) if user is not None and getattr(user, "is_authenticated", False) else None


def init_request_logging(server: Flask) -> None:
    """Give each request an id, and log it once with its status and time when the response is ready."""

    def start():
        sent = request.headers.get("X-Request-ID", "")
        g.request_id = sent if _REQUEST_ID.match(sent) else uuid.uuid4().hex[:16]
        g.request_started = time.perf_counter()

    def finish(response):
        started = g.get("request_started")
        if started is None:
            return response
        response.headers.setdefault("X-Request-ID", g.request_id)
        level = logging.DEBUG if request.path.startswith(QUIET_PREFIXES) else logging.INFO
        if response.status_code >= 500:
            level = logging.WARNING
        if request_log.isEnabledFor(level):
            request_log.log(level, "%s %s %s", request.method, request.path, response.status_code, extra={
                "event": "request", "method": request.method, "path": request.path, "status": response.status_code,
                "ms": round((time.perf_counter() - started) * 1000, 1), "bytes": response.calculate_content_length(),
                "user_id": _user_id(), "remote_addr": request.remote_addr,
            })
        return response

    # First of all before_request hooks, so the id exists even when a later hook answers the request itself.
    server.before_request_funcs.setdefault(None, []).insert(0, start)
    server.after_request(finish)


