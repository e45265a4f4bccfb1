"""Structured logs: one JSON object per line, each request logged once with its id, nothing private in them."""
import contextlib
import io
import json
import logging
import logging.config

from flask import Flask

from dashboard.logs import JsonFormatter, configure_logging, gunicorn_logconfig, init_request_logging


def _record(message="hello %s", args=("world",), level=logging.INFO, exc_info=None, **extra):
    record = logging.LogRecord("dashboard.test", level, __file__, 1, message, args, exc_info)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_a_record_is_one_line_of_json_with_its_extra_fields():
    line = JsonFormatter().format(_record(event="store_down", outage_seconds=2.5, when=object()))
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "hello world" and entry["level"] == "INFO" and entry["logger"] == "dashboard.test"
    assert entry["event"] == "store_down" and entry["outage_seconds"] == 2.5
    assert entry["ts"].endswith("+00:00")            # UTC, so lines from several hosts sort together
    assert isinstance(entry["when"], str)             # anything JSON cannot hold is written as text, not dropped


def test_an_exception_stays_inside_its_line():
    try:
        raise ValueError("bad thing")
    except ValueError:
        import sys
        line = JsonFormatter().format(_record(level=logging.ERROR, exc_info=sys.exc_info()))
    entry = json.loads(line)
    assert "ValueError: bad thing" in entry["exception"] and line.count("\n") == 0


@contextlib.contextmanager
def root_logging(*formats: str):
    """A stream the root logger writes to, configured once per format given; its handlers go again afterwards."""
    stream = io.StringIO()
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        for log_format in formats:
            configure_logging(log_format, "INFO", stream=stream)
        yield stream
    finally:
        for handler in list(root.handlers):
            if handler not in before:
                root.removeHandler(handler)


def test_configuring_twice_does_not_write_every_line_twice():
    with root_logging("json", "json") as stream:
        logging.getLogger("dashboard.test").info("once", extra={"event": "x"})
        lines = [json.loads(line) for line in stream.getvalue().splitlines()]
        assert [entry["message"] for entry in lines] == ["once"]


def test_text_format_for_a_terminal():
    with root_logging("text") as stream:
        logging.getLogger("dashboard.test").warning("cache down", extra={"event": "cache_down"})
        assert "WARNING" in stream.getvalue() and "cache down" in stream.getvalue() and "event=cache_down" in stream.getvalue()


def _app_with_request_log():
    app = Flask(__name__)
    init_request_logging(app)

    @app.route("/page")
    def page():
        return "ok"

    @app.route("/assets/x.css")
    def asset():
        return "css"
    return app


def _request_lines(caplog):
    return [r for r in caplog.records if getattr(r, "event", None) == "request"]


def test_each_request_is_logged_once_with_status_time_and_an_id(caplog):
    app = _app_with_request_log()
    with caplog.at_level(logging.INFO, logger="dashboard.request"):
        response = app.test_client().get("/page?focus=E09000022&secret=1")
    (line,) = _request_lines(caplog)
    assert line.status == 200 and line.method == "GET" and line.path == "/page"
    assert line.ms >= 0 and line.user_id is None
    assert "secret" not in JsonFormatter().format(line)      # query strings are not logged
    assert response.headers["X-Request-ID"] and len(response.headers["X-Request-ID"]) == 16


def test_a_proxys_request_id_is_kept_and_a_malformed_one_replaced(caplog):
    client = _app_with_request_log().test_client()
    assert client.get("/page", headers={"X-Request-ID": "lb-1234abcd"}).headers["X-Request-ID"] == "lb-1234abcd"
    replaced = client.get("/page", headers={"X-Request-ID": "<script>alert(1)</script>"}).headers["X-Request-ID"]
    assert "<" not in replaced and len(replaced) == 16


def test_static_files_are_logged_only_at_debug(caplog):
    client = _app_with_request_log().test_client()
    with caplog.at_level(logging.INFO, logger="dashboard.request"):
        client.get("/assets/x.css")
    assert _request_lines(caplog) == []
    with caplog.at_level(logging.DEBUG, logger="dashboard.request"):
        client.get("/assets/x.css")
    assert len(_request_lines(caplog)) == 1


def test_gunicorn_log_config_is_valid_and_uses_the_same_format():
    config = gunicorn_logconfig("json", "INFO")
    logging.config.dictConfig(config)   # raises if gunicorn would refuse it
    handler = logging.getLogger("gunicorn.error").handlers[0]
    assert isinstance(handler.formatter, JsonFormatter)
    logging.getLogger("gunicorn.error").handlers.clear()
