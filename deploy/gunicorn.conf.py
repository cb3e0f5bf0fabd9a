"""gunicorn settings for coprod's web processes (used by the Procfile and the benchmarks).

Every value can be overridden from the environment: PORT / BIND, WEB_CONCURRENCY (worker
processes; about one per core, the work is mostly CPU in Python), GUNICORN_TIMEOUT,
GUNICORN_MAX_REQUESTS (recycle a worker after that many requests; 0, the default, never: a
recycled worker re-imports the app, and at a few thousand requests a second the restarts every
few seconds were what put 500-900 ms into the 99th percentile of the load test).
"""

import os

bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# Behind nginx on the same machine: trust its X-Forwarded-* headers (the app's ProxyFix decides
# how many hops it believes).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")
# Recycle a worker after many requests so a slow leak can never take a process down.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
