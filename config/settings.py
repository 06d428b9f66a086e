"""Django settings, read from the environment with safe defaults for local use."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config import queues
from config.env import env_bool, env_list, local_secret_key, redis_cache_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TENSORGRADE_VAR_DIR", BASE_DIR / "var"))
# The question bank: one folder per question. Shipped beside the code (also in the wheel).
BANK_ROOT = Path(os.environ.get("TENSORGRADE_BANK_ROOT", BASE_DIR / "bank"))

SECRET_KEY = local_secret_key(VAR_DIR / "secret_key")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "axes",
    "mathjax",
    "exams",
    "artefacts",
    "frontend",
    "progress",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "frontend.middleware.ContentSecurityPolicyMiddleware",
    "frontend.middleware.ApiBodySizeLimitMiddleware",
    "frontend.middleware.NulCharacterMiddleware",
    "frontend.middleware.TrailingSlashMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "frontend.middleware.ApplicationErrorPageMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'tensorgrade.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
    # A file, not memory, so a real Celery worker process in the integration tests sees the rows.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("TEST_DATABASE_PATH", str(VAR_DIR / "test-tensorgrade.sqlite3"))
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "frontend:home"
LOGOUT_REDIRECT_URL = "login"

# Served over HTTPS (directly or by a TLS proxy): cookies only travel encrypted, browsers are
# told to use HTTPS from now on, plain HTTP is redirected. A proxy that terminates TLS names the
# header it sets (and overwrites) in TENSORGRADE_PROXY_SSL_HEADER, e.g. X-Forwarded-Proto.
HTTPS = env_bool("TENSORGRADE_HTTPS", False)
_proxy_ssl_header = os.environ.get("TENSORGRADE_PROXY_SSL_HEADER", "").strip()
if _proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Sent with every response (frontend.middleware.ContentSecurityPolicyMiddleware). Every script is
# a static file of this site (MathJax included); MathJax writes its own <style> element, so
# inline styles are allowed and inline scripts are not.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# Failed logins (every login form: the site's, the admin's) are counted per account and per
# address by django-axes in the database; past the limit that account or address is refused
# until the lock-out ends.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_LOCKOUT_CALLABLE = "frontend.login_lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "frontend.login_lockout.client_address"
AXES_VERBOSE = False
# Reverse proxies in front of the web server, each appending to X-Forwarded-For: the login
# lock-out counts failures per client address, not per proxy.
TRUSTED_PROXY_COUNT = int(os.environ.get("TENSORGRADE_TRUSTED_PROXIES", "0"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "exams.api.errors.api_exception_handler",
    # JSON only: the browsable API would answer HTML to a client that asks for it.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "exams.api.parsing.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "submissions": os.environ.get("SUBMISSION_RATE", "60/min"),
        "run_tests": os.environ.get("RUN_TESTS_RATE", "20/min"),
        "run_tests_part": os.environ.get("RUN_TESTS_PART_RATE", "6/min"),
        "attempts": os.environ.get("ATTEMPT_RATE", "30/min"),
    },
}
INSTALLED_APPS.append("rest_framework.authtoken")

SPECTACULAR_SETTINGS = {
    "TITLE": "Tensorgrade API",
    "DESCRIPTION": "Practise deep-learning exam questions on randomized variants.",
    "VERSION": "1",
}

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")

# Rate-limit counters must be shared by every web process: the cache is Redis whenever one is
# configured (CACHE_URL, else the database after the broker's); local memory only when no
# Redis is configured at all (unit tests).
CACHE_URL = os.environ.get("CACHE_URL") or (
    redis_cache_url(os.environ["CELERY_BROKER_URL"])
    if os.environ.get("CELERY_BROKER_URL")
    else None
)
# A Redis that stops answering (a hung or unreachable host) fails a cache call after a second
# instead of holding the request: the rate limits are then skipped (exams/api/throttles.py).
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 600}
# Queues by kind of work (config/queues.py); a task not routed there goes to MARKING.
CELERY_TASK_DEFAULT_QUEUE = queues.MARKING
CELERY_TASK_ROUTES = queues.TASK_ROUTES

# The grading lifecycle (docs/grading.md): a pending submission not claimed this long after its
# last enqueue is enqueued again; a worker's claim (lease) lasts GRADING_LEASE_S, renewed every
# GRADING_HEARTBEAT_S while the marking runs (see the faults block at the end); an
# infrastructure failure is retried GRADING_QUICK_TRIES times in all (pausing the listed seconds
# between tries), then the submission waits in `error` and is retried after each of
# GRADING_RECOVERY_BACKOFF_S in turn (the last pause repeats for ever). The sweep and the
# recovery run every GRADING_SWEEP_EVERY_S.
GRADING_STALE_AFTER_S = int(os.environ.get("GRADING_STALE_AFTER_S", "30"))
GRADING_LEASE_S = float(os.environ.get("GRADING_LEASE_S", "30"))
GRADING_QUICK_TRIES = int(os.environ.get("GRADING_QUICK_TRIES", "3"))
GRADING_QUICK_BACKOFF_S = [float(s) for s in env_list("GRADING_QUICK_BACKOFF_S", ["10", "60"])]
GRADING_RECOVERY_BACKOFF_S = [
    float(s)
    for s in env_list("GRADING_RECOVERY_BACKOFF_S", ["120", "600", "1800", "3600", "7200", "14400"])
]
GRADING_SWEEP_EVERY_S = float(os.environ.get("GRADING_SWEEP_EVERY_S", "10"))
if GRADING_QUICK_TRIES < 1 or not GRADING_RECOVERY_BACKOFF_S:
    raise ImproperlyConfigured(
        "GRADING_QUICK_TRIES must be at least 1 and GRADING_RECOVERY_BACKOFF_S must list at "
        "least one pause in seconds."
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

CELERY_BEAT_SCHEDULE = {
    "requeue-stale-submissions": {
        "task": "exams.tasks.requeue_stale_submissions",
        "schedule": GRADING_SWEEP_EVERY_S,
    },
    "recover-failed-submissions": {
        "task": "exams.tasks.recover_failed_submissions",
        "schedule": GRADING_SWEEP_EVERY_S,
    },
}

# REST API for LMSs (docs/lms.md): course API keys (app `api_keys`, djangorestframework-api-key)
# authenticate `Authorization: Api-Key <key>` before sessions and personal tokens; endpoints
# take a key only where a view allows it (api_keys.permissions.IsUserOrCourseKey).
INSTALLED_APPS += ["rest_framework_api_key", "api_keys"]
REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] = [
    "api_keys.authentication.CourseAPIKeyAuthentication",
    *REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"],
]
REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"] = ["api_keys.permissions.IsSignedInUser"]
# Names of the enums the LMS resources share in the OpenAPI schema.
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "MembershipRoleEnum": ["instructor", "student"],
        "CourseAccessRoleEnum": ["api_key", "instructor", "student"],
    }
)

# --- LTI 1.3 launch (app `lti`, built on django-lti; docs/lms.md) ---
# LTI_IFRAME=1 (needs TENSORGRADE_HTTPS): the session and CSRF cookies are sent with
# SameSite=None; Secure, so the pages work inside an LMS's iframe. LTI pages (under /lti/ and
# every page of a session that came from a launch) may be framed by the registered platforms'
# origins (their issuer and authorization URLs) and by LTI_FRAME_ANCESTORS.
INSTALLED_APPS += ["lti_tool", "lti"]
MIDDLEWARE += ["lti.middleware.LtiSessionLaunchMiddleware", "lti.middleware.LtiFramingMiddleware"]
LTI_IFRAME = env_bool("LTI_IFRAME", False)
if LTI_IFRAME and not HTTPS:
    raise ImproperlyConfigured(
        "LTI_IFRAME=1 needs TENSORGRADE_HTTPS=1: browsers only send SameSite=None cookies over "
        "HTTPS, so the tool cannot work inside an LMS iframe over plain HTTP."
    )
if LTI_IFRAME:
    SESSION_COOKIE_SAMESITE = "None"
    CSRF_COOKIE_SAMESITE = "None"
LTI_FRAME_ANCESTORS = env_list("LTI_FRAME_ANCESTORS", [])

# --- LTI 1.3 grades and rosters (app `lti_grades`: AGS passback, NRPS roster sync; docs/lms.md) ---
# A changed score is posted to the LMS line item as its own Celery task: up to
# LTI_PASSBACK_TRIES sends, pausing the listed LTI_PASSBACK_BACKOFF_S seconds between them (the
# last pause repeats); then it waits as `failed` for an instructor's "resend". Every request to
# the platform (token, scores, memberships) gives up after LTI_SERVICE_TIMEOUT_S seconds. The
# beat schedule sends held exam scores once results are out and re-sends lost tasks every
# LTI_PASSBACK_SWEEP_EVERY_S seconds.
INSTALLED_APPS += ["lti_grades"]
LTI_PASSBACK_TRIES = int(os.environ.get("LTI_PASSBACK_TRIES", "6"))
LTI_PASSBACK_BACKOFF_S = [
    float(s) for s in env_list("LTI_PASSBACK_BACKOFF_S", ["30", "120", "600", "1800", "3600"])
]
LTI_SERVICE_TIMEOUT_S = float(os.environ.get("LTI_SERVICE_TIMEOUT_S", "20"))
LTI_PASSBACK_SWEEP_EVERY_S = float(os.environ.get("LTI_PASSBACK_SWEEP_EVERY_S", "60"))
if LTI_PASSBACK_TRIES < 1 or not LTI_PASSBACK_BACKOFF_S:
    raise ImproperlyConfigured(
        "LTI_PASSBACK_TRIES must be at least 1 and LTI_PASSBACK_BACKOFF_S must list at least one "
        "pause in seconds."
    )
CELERY_BEAT_SCHEDULE["lti-passback-sweep"] = {
    "task": "lti_grades.tasks.sweep_score_passbacks",
    "schedule": LTI_PASSBACK_SWEEP_EVERY_S,
}

# Webhooks (app `webhooks`, docs/lms.md "Webhooks"): each marking is POSTed, signed the
# Standard Webhooks way, to the course's registered endpoints. A failed attempt (no 2xx within
# WEBHOOKS_TIMEOUT_S, redirects not followed) is retried after each pause of
# WEBHOOKS_RETRY_BACKOFF_S in turn, then the delivery is `failed`. Endpoints on private,
# loopback or link-local addresses are refused unless WEBHOOKS_ALLOW_PRIVATE_URLS (on by
# default only under DEBUG; `make run` turns it on for the demo). A beat task sends deliveries
# whose queue message was lost, and the scores held back while the student could not see them
# (an open exam) once they can, every WEBHOOKS_SWEEP_EVERY_S.
INSTALLED_APPS += ["webhooks"]
WEBHOOKS_ALLOW_PRIVATE_URLS = env_bool("WEBHOOKS_ALLOW_PRIVATE_URLS", DEBUG)
WEBHOOKS_TIMEOUT_S = float(os.environ.get("WEBHOOKS_TIMEOUT_S", "5"))
WEBHOOKS_RETRY_BACKOFF_S = [
    float(s) for s in env_list("WEBHOOKS_RETRY_BACKOFF_S", ["10", "60", "300", "1800", "7200"])
]
WEBHOOKS_SWEEP_EVERY_S = float(os.environ.get("WEBHOOKS_SWEEP_EVERY_S", "60"))
if WEBHOOKS_TIMEOUT_S <= 0 or any(pause < 0 for pause in WEBHOOKS_RETRY_BACKOFF_S):
    raise ImproperlyConfigured(
        "WEBHOOKS_TIMEOUT_S must be positive and WEBHOOKS_RETRY_BACKOFF_S must list pauses of "
        "zero seconds or more (an empty list means a single attempt)."
    )
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {})["WebhookDeliveryStatusEnum"] = (
    "webhooks.models.WebhookDelivery.Status"
)
CELERY_BEAT_SCHEDULE["send-due-webhook-deliveries"] = {
    "task": "webhooks.tasks.send_due_deliveries",
    "schedule": WEBHOOKS_SWEEP_EVERY_S,
}
# API schema and docs: every response and error of the API is documented (exams.api.schema);
# Swagger UI and Redoc are served from this site's static files (drf-spectacular-sidecar).
INSTALLED_APPS += ["drf_spectacular_sidecar"]
REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] = "exams.api.schema.ApiAutoSchema"
SPECTACULAR_SETTINGS.update(
    {
        "DESCRIPTION": (
            "Practise deep-learning exam questions on randomized variants. Authenticate with "
            "`Authorization: Token <key>` (or a logged-in session). Every error, at any URL "
            "under /api/, has the shape "
            '`{"error": {"code": "...", "message": "...", "details": {...}}}`: `code` is '
            "stable, `message` says what was wrong and what to do; our own failures are a 500 "
            "in the same shape."
        ),
        "SERVE_INCLUDE_SCHEMA": False,
        # The API is JSON: request bodies are documented as JSON only (DRF also reads forms).
        "PARSER_WHITELIST": ["exams.api.parsing.BoundedJSONParser"],
        "COMPONENT_SPLIT_REQUEST": True,
        "SWAGGER_UI_DIST": "SIDECAR",
        "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
        "REDOC_DIST": "SIDECAR",
    }
)
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "SubmissionStatusEnum": "exams.models.Submission.Status",
        "PartMarkStatusEnum": "exams.api.serializers.PART_MARK_STATUSES",
        "VisibleTestsRunStatusEnum": "exams.api.serializers.VISIBLE_RUN_STATUSES",
    }
)

# Manual marking (issue 13): the instructors' queue of free-text parts and self-assessment.
INSTALLED_APPS += ["manual_marking"]
# The step a mark given by hand must be a multiple of (a decimal number, e.g. "0.5" or "0.25").
MANUAL_MARKING_SCORE_STEP = os.environ.get("MANUAL_MARKING_SCORE_STEP", "0.5")
# Instructors' results pages (issue 13): distributions and per-part figures per paper/question.
INSTALLED_APPS += ["results"]
# Timed exams that lose nothing (app `autosave`, docs/exams.md "Timed exams"): answers are
# saved on the server as they are typed (every attempt); a timed sitting still takes answers
# and autosaves for EXAM_GRACE_SECONDS after its deadline (requests in flight), then the server
# submits each question's saved answers that differ from its latest submission and closes the
# sitting. A Celery task is scheduled for that moment when the sitting starts; a beat sweep
# every EXAM_AUTOSUBMIT_SWEEP_EVERY_S seconds is the safety net (both idempotent).
INSTALLED_APPS += ["autosave"]
EXAM_GRACE_SECONDS = float(os.environ.get("EXAM_GRACE_SECONDS", "30"))
EXAM_AUTOSUBMIT_SWEEP_EVERY_S = float(os.environ.get("EXAM_AUTOSUBMIT_SWEEP_EVERY_S", "10"))
if EXAM_GRACE_SECONDS < 0 or EXAM_AUTOSUBMIT_SWEEP_EVERY_S <= 0:
    raise ImproperlyConfigured(
        "EXAM_GRACE_SECONDS must be zero or more and EXAM_AUTOSUBMIT_SWEEP_EVERY_S positive "
        "(both in seconds)."
    )
CELERY_BEAT_SCHEDULE["autosubmit-timed-exams"] = {
    "task": "autosave.tasks.autosubmit_due_sittings",
    "schedule": EXAM_AUTOSUBMIT_SWEEP_EVERY_S,
}
# Regrade jobs and mark exports (app `regrades`, docs/instructors.md): a worker holds a job for
# REGRADE_JOB_LEASE_S (renewed item by item) and marks up to REGRADE_JOB_SLICE_ITEMS items per
# task run, sending itself again after REGRADE_JOB_WAIT_S while items remain (some wait for a
# retry); a job nobody has worked on for REGRADE_JOB_STALE_AFTER_S (its worker died) is sent
# again by the beat sweep every REGRADE_JOB_SWEEP_EVERY_S.
INSTALLED_APPS += ["regrades"]
REGRADE_JOB_LEASE_S = float(os.environ.get("REGRADE_JOB_LEASE_S", "120"))
REGRADE_JOB_SLICE_ITEMS = int(os.environ.get("REGRADE_JOB_SLICE_ITEMS", "50"))
REGRADE_JOB_WAIT_S = float(os.environ.get("REGRADE_JOB_WAIT_S", "2"))
REGRADE_JOB_STALE_AFTER_S = float(os.environ.get("REGRADE_JOB_STALE_AFTER_S", "180"))
REGRADE_JOB_SWEEP_EVERY_S = float(os.environ.get("REGRADE_JOB_SWEEP_EVERY_S", "60"))
CELERY_BEAT_SCHEDULE["resume-regrade-jobs"] = {
    "task": "regrades.tasks.resume_regrade_jobs",
    "schedule": REGRADE_JOB_SWEEP_EVERY_S,
}
# Operations (app `operations`, docs/operations.md): /healthz (liveness), /readyz (database,
# broker, cache and sandbox reachable) and Prometheus metrics at /metrics, computed at scrape
# time from the database and Redis. They are answered first in the middleware chain (no host
# check, no HTTPS redirect: probes come from inside the network). /metrics needs
# `Authorization: Bearer <METRICS_TOKEN>`; without a token it answers only to loopback clients
# not behind a proxy. The marking-latency histogram covers the submissions made in the last
# METRICS_LATENCY_WINDOW_S seconds.
INSTALLED_APPS += ["operations"]
MIDDLEWARE.insert(0, "operations.middleware.OperationsEndpointsMiddleware")
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
METRICS_LATENCY_WINDOW_S = float(os.environ.get("METRICS_LATENCY_WINDOW_S", "900"))
if METRICS_LATENCY_WINDOW_S <= 0:
    raise ImproperlyConfigured("METRICS_LATENCY_WINDOW_S must be a positive number of seconds.")
# Waiting for a mark (exams/submission_events.py, docs/lms.md): `GET /api/v1/submissions/<id>/
# ?wait=<s>` holds the request until the submission is marked or in `error`, for at most
# SUBMISSION_WAIT_MAX_S seconds (a web thread is held meanwhile; keep it below the web server's
# request timeout). Marking announces each change on Redis pub/sub at
# SUBMISSION_EVENTS_REDIS_URL (default: the cache's Redis; empty: none), and a waiting request
# without Redis reads the row every SUBMISSION_WAIT_POLL_S seconds instead. At most
# SUBMISSION_WAITS_PER_PROCESS requests of one web process wait at once (the others are answered
# at once and ask again): keep it below the web server's threads per process.
SUBMISSION_WAIT_MAX_S = float(os.environ.get("SUBMISSION_WAIT_MAX_S", "25"))
SUBMISSION_EVENTS_REDIS_URL = os.environ.get("SUBMISSION_EVENTS_REDIS_URL", CACHE_URL or "")
SUBMISSION_WAIT_POLL_S = float(os.environ.get("SUBMISSION_WAIT_POLL_S", "0.5"))
SUBMISSION_WAITS_PER_PROCESS = int(os.environ.get("SUBMISSION_WAITS_PER_PROCESS", "16"))
if SUBMISSION_WAIT_MAX_S < 0 or SUBMISSION_WAIT_POLL_S <= 0 or SUBMISSION_WAITS_PER_PROCESS < 0:
    raise ImproperlyConfigured(
        "SUBMISSION_WAIT_MAX_S must be zero or more and SUBMISSION_WAIT_POLL_S positive (both "
        "in seconds), and SUBMISSION_WAITS_PER_PROCESS a whole number from 0."
    )
# Faults (docs/grading.md, "Faults"): a marking worker renews its lease every GRADING_HEARTBEAT_S
# (well under GRADING_LEASE_S), so a killed worker's submission is taken over within a lease and
# a long marking keeps its own. A submission whose queue message could not be sent (the broker
# down) stays flagged in the database; `manage.py relay_outbox` sends flagged rows every
# GRADING_OUTBOX_EVERY_S once the broker answers. A database error in a request is a 503 with
# Retry-After: DATABASE_UNAVAILABLE_RETRY_AFTER_S.
# A broker address that does not answer (a stopped host) fails a send after
# BROKER_CONNECT_TIMEOUT_S instead of the system's TCP timeout; a stopped Redis fails at once.
BROKER_CONNECT_TIMEOUT_S = float(os.environ.get("BROKER_CONNECT_TIMEOUT_S", "2"))
CELERY_BROKER_TRANSPORT_OPTIONS["socket_connect_timeout"] = BROKER_CONNECT_TIMEOUT_S
GRADING_HEARTBEAT_S = float(os.environ.get("GRADING_HEARTBEAT_S", "10"))
GRADING_OUTBOX_EVERY_S = float(os.environ.get("GRADING_OUTBOX_EVERY_S", "1"))
DATABASE_UNAVAILABLE_RETRY_AFTER_S = int(os.environ.get("DATABASE_UNAVAILABLE_RETRY_AFTER_S", "5"))
if not 0 < GRADING_HEARTBEAT_S < GRADING_LEASE_S / 2 or GRADING_OUTBOX_EVERY_S <= 0:
    raise ImproperlyConfigured(
        "GRADING_HEARTBEAT_S must be positive and under half of GRADING_LEASE_S (a lease survives "
        "a missed renewal), and GRADING_OUTBOX_EVERY_S must be positive (seconds)."
    )
MIDDLEWARE += ["frontend.middleware.DatabaseUnavailableMiddleware"]
# Variants built off the request path (docs/exams.md): starting an attempt stores its variants
# as `building` and a task on the variants queue builds each; a sandbox failure retries it after
# each pause of VARIANT_BUILD_RETRY_BACKOFF_S seconds in turn (the last repeats); a variant
# still `building` VARIANT_BUILD_RESEND_S seconds after its build was sent is sent again when
# a page or the API looks at it; pages and the API tell clients to look again after
# VARIANT_RETRY_AFTER_S seconds (`Retry-After`).
VARIANT_BUILD_RETRY_BACKOFF_S = [
    float(s) for s in env_list("VARIANT_BUILD_RETRY_BACKOFF_S", ["5", "15", "30", "60", "120"])
]
VARIANT_BUILD_RESEND_S = float(os.environ.get("VARIANT_BUILD_RESEND_S", "60"))
VARIANT_RETRY_AFTER_S = int(os.environ.get("VARIANT_RETRY_AFTER_S", "2"))
if not VARIANT_BUILD_RETRY_BACKOFF_S or VARIANT_BUILD_RESEND_S <= 0 or VARIANT_RETRY_AFTER_S < 1:
    raise ImproperlyConfigured(
        "VARIANT_BUILD_RETRY_BACKOFF_S must list at least one pause in seconds, "
        "VARIANT_BUILD_RESEND_S must be positive and VARIANT_RETRY_AFTER_S at least 1 (seconds)."
    )
