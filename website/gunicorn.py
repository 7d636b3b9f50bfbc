"""Gunicorn configuration for production (docs/deployment.md).

    gunicorn --config website/gunicorn.py website.wsgi:application

Every value can be changed from the environment; the defaults suit one machine behind a reverse
proxy (Caddy, nginx) or a load balancer that terminates https.
"""

import multiprocessing
import os

from gunicorn.glogging import Logger

# Where to listen: the proxy or load balancer forwards here.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
# Worker processes: (2 x cores) + 1 by default. GUNICORN_THREADS > 1 switches to threaded workers,
# which hold a slow client without holding a process.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))  # a request longer than this is killed
graceful_timeout = 30  # on restart or stop, requests under way get this long to finish
keepalive = 5
# Recycle each worker after a few thousand requests, at random moments, not all at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# Trust X-Forwarded-Proto/-For only from these addresses (the proxy or load balancer).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# The workers' heartbeat files on a memory file system where there is one (not a slow disk).
if os.path.isdir("/dev/shm"):  # noqa: S108
    worker_tmp_dir = "/dev/shm"  # noqa: S108

# Logs: one JSON object per line (website/logs.py), access lines to standard output and the rest
# to standard error; LOG_FORMAT=plain for text. GUNICORN_ACCESS_LOG=off turns access lines off.
log_format = os.environ.get("LOG_FORMAT", "json")
accesslog = None if os.environ.get("GUNICORN_ACCESS_LOG", "on") == "off" else "-"


class NoAccessLogger(Logger):
    """Gunicorn writes access lines whenever a logging configuration is given, whatever
    `accesslog` says; this logger neither builds nor writes them."""

    def _compute_access_log_enabled(self):
        return False


if accesslog is None:
    logger_class = NoAccessLogger
access_log_format = "%(m)s %(U)s %(s)s %(B)s bytes %(M)s ms"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "website.logs.JSONFormatter"},
        "plain": {"format": "%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "formatter": log_format,
            "stream": "ext://sys.stdout",
        },
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": log_format,
            "stream": "ext://sys.stderr",
        },
    },
    "root": {"level": "INFO", "handlers": ["stderr"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
    },
}
