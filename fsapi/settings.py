"""fsapi settings, read from the environment (12-factor) with working development defaults.

Every knob an operator turns is an environment variable (or a line in `.env`); see the README's
configuration table. With DEBUG off nothing insecure is assumed: SECRET_KEY must be given.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-fsapi-development-only")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if len(SECRET_KEY) < 32:
        raise ImproperlyConfigured("SECRET_KEY (at least 32 characters) is required when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=["http://localhost:5173", "http://127.0.0.1:5173"])
# the client sends "Authorization: jwt …"; corsheaders allows the authorization header by default

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "apps.users",
    "apps.course",
    "apps.cart",
    "apps.coupon",
    "apps.orders",
    "apps.payments",
    "apps.usercenter",
    "apps.demo",  # seed_demo: development data, above every app
]

MIDDLEWARE = [
    "extension.request_id.RequestIdMiddleware",  # first: every log line of the request has its id
    "extension.metrics.MetricsMiddleware",
    "extension.middleware.DiscardUnreadBodyMiddleware",  # reads what the ones below left unread
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes wants: the admin's lockout answer
]

ROOT_URLCONF = "fsapi.urls"
WSGI_APPLICATION = "fsapi.wsgi.application"
AUTH_USER_MODEL = "users.User"
# axes first: it refuses a locked-out admin login before any password is checked
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "apps.users.backends.UsernameMobileEmailBackend"]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
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

# --- database -------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # API, worker and beat share one file: WAL lets readers run beside the writer, IMMEDIATE
    # takes the write lock when a transaction starts instead of failing halfway through it.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.mysql":
    DATABASES["default"].setdefault("OPTIONS", {}).update({"charset": "utf8mb4", "isolation_level": "read committed"})
    DATABASES["default"].setdefault("TEST", {}).update({"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"})
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- redis: one URL per purpose ------------------------------------------------------------
# Each purpose may live on a Redis of its own (REDIS_CACHE_URL, REDIS_CART_URL, REDIS_COUPON_URL,
# REDIS_CELERY_URL, used as given, database number included); each one left unset is the one
# REDIS_URL on its logical database REDIS_DB_* (the tutorial's 0, 4 and 5, and 14), as before.
# Carts and the order-number counter are real data (their Redis must persist); the cache, the
# coupon copy (rebuilt by `sync_coupons`) and Celery's results may be lost.
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379")
REDIS_DATABASES = {
    "default": env.int("REDIS_DB_DEFAULT", default=0),
    "cart": env.int("REDIS_DB_CART", default=4),
    "coupon": env.int("REDIS_DB_COUPON", default=5),
    "celery": env.int("REDIS_DB_CELERY", default=14),
}


def redis_url(db: int) -> str:
    """REDIS_URL pointed at logical database `db` (any database in REDIS_URL itself is replaced)."""
    parts = urlsplit(REDIS_URL)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, parts.fragment))


REDIS_PURPOSE_VARIABLES = {
    "default": "REDIS_CACHE_URL",
    "cart": "REDIS_CART_URL",
    "coupon": "REDIS_COUPON_URL",
    "celery": "REDIS_CELERY_URL",
}
REDIS_URLS = {
    purpose: env.str(variable, default="") or redis_url(REDIS_DATABASES[purpose])
    for purpose, variable in REDIS_PURPOSE_VARIABLES.items()
}
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=3.0)
CACHES = {
    alias: {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URLS[alias],
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            "SOCKET_CONNECT_TIMEOUT": REDIS_SOCKET_TIMEOUT,
            "SOCKET_TIMEOUT": REDIS_SOCKET_TIMEOUT,
        },
    }
    for alias in ("default", "cart", "coupon")
}
# Only the cache API (throttle counters) is prefixed: `cache:1:throttle_login_…`. The cart and
# coupon stores use raw connections with SPEC's key names (`cart_{user_id}`, `order_number`,
# `{user_id}:{coupon_log_id}`, `coupon_index_{user_id}`), which stay as they are; no two
# purposes' keys collide, so even four URLs naming one database are safe.
CACHES["default"]["KEY_PREFIX"] = "cache"

# --- business constants ---------------------------------------------------------------------
ORDER_TIMEOUT = env.int("ORDER_TIMEOUT", default=15 * 60)  # seconds an order may stay unpaid
# the key of the permutation that turns the order counter into order numbers (empty: derived from
# SECRET_KEY); apps/orders/numbers.py
ORDER_NUMBER_KEY = env.str("ORDER_NUMBER_KEY", default="")
CREDIT_TO_MONEY = env.int("CREDIT_TO_MONEY", default=10)  # credits per yuan
CART_MAX_LINES = env.int("CART_MAX_LINES", default=100)

# --- celery ---------------------------------------------------------------------------------
# The broker is Redis (REDIS_CELERY_URL) unless CELERY_BROKER_URL says otherwise; an amqp:// URL
# (RabbitMQ, the production broker) switches the settings below by itself. Results stay in Redis.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or REDIS_URLS["celery"]
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or REDIS_URLS["celery"]
BROKER_IS_AMQP = urlsplit(CELERY_BROKER_URL).scheme in ("amqp", "amqps", "pyamqp")
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
if BROKER_IS_AMQP:
    # RabbitMQ: a quorum queue (replicated, durable), and with it Celery's native delayed delivery:
    # a countdown waits inside the broker (the celery_delayed_* queues) instead of in a worker's
    # memory, and reaches a worker only when due. Both need a topic exchange: with a direct one
    # Celery silently keeps countdowns in the worker again (with a warning). Routes added later
    # must name `exchange` and `exchange_type` too, or apply_async(countdown=…) raises KeyError.
    # Give the shop a vhost of its own: the delay exchanges and queues are shared per vhost.
    CELERY_TASK_DEFAULT_QUEUE = "celery"
    CELERY_TASK_DEFAULT_EXCHANGE = "celery"
    CELERY_TASK_DEFAULT_EXCHANGE_TYPE = "topic"
    CELERY_TASK_DEFAULT_ROUTING_KEY = "celery"
    CELERY_TASK_DEFAULT_QUEUE_TYPE = "quorum"
    CELERY_WORKER_DETECT_QUORUM_QUEUES = True  # no global QoS on quorum queues; delayed delivery on
    CELERY_BROKER_NATIVE_DELAYED_DELIVERY_QUEUE_TYPE = "quorum"
    # a published countdown is on the broker's disk before apply_async returns
    CELERY_BROKER_TRANSPORT_OPTIONS = {"confirm_publish": True}
else:
    if urlsplit(CELERY_BROKER_URL).scheme in ("redis", "rediss"):
        # kombu's Redis transport with the fix that keeps a worker holding countdowns alive through
        # a Redis outage (the why is in fsapi/broker.py); any other broker is kombu's own
        CELERY_BROKER_TRANSPORT = "fsapi.broker:Transport"
    # A countdown task waits unacknowledged in the worker; Redis re-delivers it after the visibility
    # timeout, which must therefore outlast the longest countdown (ORDER_TIMEOUT) by a margin.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": max(2 * 3600, ORDER_TIMEOUT + 3600)}
# the sweep that times out unpaid orders whose countdown task was lost (seconds between runs)
ORDER_SWEEP_INTERVAL = env.float("ORDER_SWEEP_INTERVAL", default=60.0)
CELERY_BEAT_SCHEDULE = {
    "expire-overdue-orders": {
        "task": "expire_overdue_orders",
        "schedule": ORDER_SWEEP_INTERVAL,
        "options": {"expires": ORDER_SWEEP_INTERVAL},
    },
}
# >>> refunds (apps/payments/refunds.py) -----------------------------------------------------
REFUND_WINDOW_DAYS = env.int("REFUND_WINDOW_DAYS", default=7)  # 申请退款 within this many days of pay_time
REFUND_RETRY_MAX_DELAY = env.int("REFUND_RETRY_MAX_DELAY", default=1800)  # backoff cap, seconds
# a refund left 退款中 this long (a lost task, a killed worker) is re-sent by the sweep
REFUND_STALE_AFTER = env.int("REFUND_STALE_AFTER", default=600)
REFUND_SWEEP_INTERVAL = env.float("REFUND_SWEEP_INTERVAL", default=300.0)
CELERY_BEAT_SCHEDULE["sweep-refunds"] = {
    "task": "sweep_refunds",
    "schedule": REFUND_SWEEP_INTERVAL,
    "options": {"expires": REFUND_SWEEP_INTERVAL},
}
# <<< refunds --------------------------------------------------------------------------------
CELERY_BEAT_SCHEDULE_FILENAME = env.str(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(BASE_DIR / "var" / "celerybeat-schedule")
)

# --- alipay (empty app id = the local sandbox) ----------------------------------------------
ALIPAY_APP_ID = env.str("ALIPAY_APP_ID", default="")
ALIPAY_APP_PRIVATE_KEY = env.str("ALIPAY_APP_PRIVATE_KEY", default="", multiline=True)
ALIPAY_PUBLIC_KEY = env.str("ALIPAY_PUBLIC_KEY", default="", multiline=True)
ALIPAY_DEBUG = env.bool("ALIPAY_DEBUG", default=True)
ALIPAY_RETURN_URL = env.str("ALIPAY_RETURN_URL", default="http://127.0.0.1:8000/alipay")
ALIPAY_NOTIFY_URL = env.str("ALIPAY_NOTIFY_URL", default="http://127.0.0.1:8000/payments/alipay/notify/")
# >>> payments app settings (apps/payments) ------------------------------------------------
# The local sandbox (a cashier page served here, notifies signed with a locally generated key
# pair) stands in for Alipay only while ALIPAY_APP_ID is empty AND ALIPAY_SANDBOX is on; it pays
# any order for free, so it follows DEBUG by default and is never on with real credentials.
ALIPAY_SANDBOX = env.bool("ALIPAY_SANDBOX", default=DEBUG)
ALIPAY_SANDBOX_DIR = env.path("ALIPAY_SANDBOX_DIR", default=BASE_DIR / "var" / "alipay-sandbox")
ALIPAY_TIMEOUT = env.float("ALIPAY_TIMEOUT", default=5.0)  # seconds per call to Alipay's gateway
# the merchant's Alipay account (2088…): when set, a notify naming another seller is refused
ALIPAY_SELLER_ID = env.str("ALIPAY_SELLER_ID", default="")
# >>> balance and reconciliation (apps/payments/recharges.py, reconciliation.py)
# seconds a top-up's Alipay link can be paid (Alipay's time_expire); a late notify still credits
RECHARGE_TIMEOUT = env.int("RECHARGE_TIMEOUT", default=1800)
# hour (Asia/Shanghai) of the daily reconciliation of yesterday's trades with Alipay
RECONCILE_HOUR = env.int("RECONCILE_HOUR", default=3)
CELERY_BEAT_SCHEDULE["reconcile-alipay"] = {
    "task": "reconcile_alipay",
    "schedule": crontab(hour=RECONCILE_HOUR, minute=17),
    "options": {"expires": 6 * 3600},
}
# <<< balance and reconciliation
# <<< payments app settings ------------------------------------------------------------------

# --- auth -----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
]
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["apps.users.authentication.JWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "extension.parsers.JSONParser",  # a too deeply nested body is a 400
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # no OPTIONS metadata answers (not enveloped, and they show views' docstrings): OPTIONS is a
    # 405 like any method a view lacks; CORS preflights are answered by corsheaders before DRF
    "DEFAULT_METADATA_CLASS": None,
    "DEFAULT_PAGINATION_CLASS": "extension.pagination.StandardPagination",
    "PAGE_SIZE": 5,
    "EXCEPTION_HANDLER": "extension.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {
        "login": env.str("LOGIN_THROTTLE_RATE", default="10/min"),
        "register": env.str("REGISTER_THROTTLE_RATE", default="20/hour"),
    },
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
}
# >>> login protection (apps/users/throttles.py, apps/users/admin_login.py) ----------------------
# per account, for the API login and the admin's: this many failed attempts, then locked until
# LOGIN_LOCKOUT_SECONDS after the first of them (the admin's lock also counts per IP: django-axes)
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=15 * 60)
AXES_HANDLER = "apps.users.admin_login.AdminLoginHandler"
AXES_ONLY_ADMIN_SITE = True
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(seconds=LOGIN_LOCKOUT_SECONDS)
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]  # either one locks
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # hammering a locked account does not extend it
AXES_CLIENT_IP_CALLABLE = "apps.users.throttles.client_ip"  # the address DRF's throttles see (NUM_PROXIES)
AXES_USERNAME_CALLABLE = "apps.users.admin_login.admin_login_account"
AXES_COOLOFF_MESSAGE = "登录失败次数过多，该账号或 IP 已被暂时锁定，请稍后再试"
# <<< login protection -----------------------------------------------------------------------
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(seconds=env.int("JWT_ACCESS_SECONDS", default=24 * 3600)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=7),
    # the Vue client sends "jwt <token>"; simplejwt matches the prefix exactly
    "AUTH_HEADER_TYPES": ("jwt", "JWT", "Bearer"),
    "UPDATE_LAST_LOGIN": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "fsapi — 飞升在线教育 API",
    "DESCRIPTION": "Every JSON answer except login and token refresh is the envelope "
    '`{"code", "message", "data"}`; errors carry their HTTP status in `code`.',
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI's assets are served from this project, not a CDN
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "extension.schema.wrap_in_envelope",
    ],
}

# --- i18n, time -----------------------------------------------------------------------------
# Customers read Chinese whatever their browser's Accept-Language: no LocaleMiddleware, one
# language, so DRF's and simplejwt's own messages are always their zh-hans translations.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/uploads/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Django serves /uploads/ only in development: in production the web server in front does
# (docker/nginx.conf, from the shared media volume), or the files live in object storage
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=DEBUG)
DEFAULT_AVATAR_URL = STATIC_URL + "images/default_avatar.png"
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# a refused body up to this size is read and dropped, so a keep-alive connection stays usable
DISCARD_BODY_MAX_BYTES = 16 * 1024 * 1024
AVATAR_MAX_BYTES = 2 * 1024 * 1024
UPLOAD_THROTTLE_RATE = env.str("UPLOAD_THROTTLE_RATE", default="10/hour")  # avatar uploads per user
# the built Vue app (web/dist): WhiteNoise serves its files at the site root, extension.spa its routes
WEB_DIST = env.path("WEB_DIST", default=BASE_DIR / "web" / "dist")
WHITENOISE_ROOT = WEB_DIST
# Vite names every built asset name-<8-char hash>.ext: those can be cached forever
WHITENOISE_IMMUTABLE_FILE_TEST = r"^/assets/.+-[A-Za-z0-9_-]{8}\.[a-z0-9]+$"
# Uploads (avatars, covers) go to the `default` storage: files under MEDIA_ROOT unless
# MEDIA_STORAGE_BACKEND names another, e.g. django-storages' "storages.backends.s3.S3Storage" for
# S3-compatible object storage, with its OPTIONS as JSON in MEDIA_STORAGE_OPTIONS (README).
STORAGES = {
    "default": {
        "BACKEND": env.str("MEDIA_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"),
        "OPTIONS": env.json("MEDIA_STORAGE_OPTIONS", default={}),
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- production hardening (DEBUG off) -------------------------------------------------------
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # /metrics: Prometheus scrapes the container over the private network (bearer token)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$", r"^payments/alipay/notify/?$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

# --- logging --------------------------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
# "text" (development) or "json": one JSON object per line, for log shippers (production)
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured("LOG_FORMAT must be text or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "extension.request_id.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(process)d [%(request_id)s]: %(message)s"},
        "json": {"()": "extension.request_id.json_formatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "fsapi": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}

# --- operations: errors, metrics ------------------------------------------------------------
# Prometheus scrapes /metrics with "Authorization: Bearer <METRICS_TOKEN>"; no token = no endpoint
# (404). Several processes (gunicorn workers, Celery) need PROMETHEUS_MULTIPROC_DIR: see the README.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# Sentry only when SENTRY_DSN is set: unhandled errors of the API and of Celery tasks, and
# every ERROR log line (the exception handler logs the 500s it answers) become events.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="development" if DEBUG else "production")
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)
if SENTRY_DSN:
    from extension.sentry import init_sentry

    init_sentry(dsn=SENTRY_DSN, environment=SENTRY_ENVIRONMENT, traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE)
