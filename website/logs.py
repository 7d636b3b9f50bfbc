"""Structured logs: one JSON object per line, for the web servers, task workers and commands.

Production's LOGGING and gunicorn's log configuration (website/gunicorn.py) both use
`JSONFormatter`. Each line has `time`, `level`, `logger` and `message`; an exception adds
`exception` (the traceback); Django's request errors add `status`, `method` and `path`; gunicorn's
access lines add the request's fields (method, path, query, status, bytes, duration_ms, remote,
user_agent, referer, page_cache). `LOG_FORMAT=plain` gives plain text lines instead.
"""

import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime

# gunicorn's access log atoms (https://docs.gunicorn.org/en/stable/settings.html#access-log-format)
ACCESS_FIELDS = {
    "method": "m",
    "path": "U",
    "query": "q",
    "status": "s",
    "bytes": "B",
    "duration_ms": "M",
    "remote": "h",
    "user_agent": "a",
    "referer": "f",
    "page_cache": "{x-page-cache}o",
}


class JSONFormatter(logging.Formatter):
    """A log record as one line of JSON."""

    def format(self, record):
        data = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.name == "gunicorn.access" and isinstance(record.args, Mapping):
            for field, atom in ACCESS_FIELDS.items():
                value = record.args[atom]  # gunicorn's atoms give "-" for what is missing
                if value not in (None, "-", ""):
                    data[field] = value.replace('\\"', '"') if isinstance(value, str) else value
        status = getattr(record, "status_code", None)
        request = getattr(record, "request", None)
        if status is not None:
            data["status"] = status
        if request is not None and hasattr(request, "path"):
            data["method"] = request.method
            data["path"] = request.path
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            data["stack"] = self.formatStack(record.stack_info)
        return json.dumps(data, ensure_ascii=False, default=str)


def logging_config(level="INFO", log_format="json"):
    """Django's LOGGING for production: everything to standard error, as JSON or plain text."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": JSONFormatter},
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": log_format}},
        "root": {"handlers": ["console"], "level": "WARNING"},
        "loggers": {
            "website": {"level": level},
            "newsletter": {"level": level},
            "django_tasks": {"level": "INFO"},
            "wagtail.frontendcache": {"level": "INFO"},
        },
    }
