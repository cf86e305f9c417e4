# fsapi production image: the API under gunicorn (with the built Vue app at `/`); the same image
# runs the Celery worker and beat (docker-compose.yml). Build: `docker build -t fsapi .`

# --- web stage: the Vue app (web/) built into /web/dist -----------------------------------
FROM node:22-bookworm-slim AS web

WORKDIR /web
# the lock first: `npm ci` is cached until package*.json change
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

# --- build stage: compilers and MySQL client headers stay here ------------------------------
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# mysqlclient compiles against the MariaDB/MySQL client headers found through pkg-config
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential pkg-config default-libmysqlclient-dev \
    && rm -rf /var/lib/apt/lists/*

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY requirements.txt requirements-mysql.txt /tmp/
# the locks (README, "Dependencies"): every package pinned with its hashes, no dev packages
RUN pip install --require-hashes -r /tmp/requirements.txt -r /tmp/requirements-mysql.txt

# --- runtime stage --------------------------------------------------------------------------
FROM python:3.11-slim

# libmariadb3: the client library mysqlclient links against (the headers stayed in the build stage)
RUN apt-get update \
    && apt-get install -y --no-install-recommends libmariadb3 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 --shell /usr/sbin/nologin fsapi

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=fsapi.settings \
    DEBUG=0 \
    MEDIA_ROOT=/app/media \
    CELERY_BEAT_SCHEDULE_FILENAME=/app/var/celerybeat-schedule

COPY --from=build /opt/venv /opt/venv
WORKDIR /app
# the code belongs to root: the app user may write only var/ (beat schedule, metrics) and media/
COPY . /app
# the built web app: WhiteNoise serves its files at `/` (WHITENOISE_ROOT), extension.spa its routes
COPY --from=web /web/dist /app/web/dist

# Static files are baked into the image (WhiteNoise serves them). The secret key here is a
# throw-away that only lets the settings load: it never reaches a running container.
RUN mkdir -p /app/var/metrics /app/media \
    && SECRET_KEY=collectstatic-only-not-a-real-secret-key-0123456789abcdef \
       DATABASE_URL=sqlite:////tmp/collectstatic.sqlite3 \
       python manage.py collectstatic --noinput --verbosity 0 \
    && rm -f /tmp/collectstatic.sqlite3 \
    && chown fsapi:fsapi /app/var /app/var/metrics /app/media

USER fsapi
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "docker/healthcheck.py", "web"]

# WEB_CONCURRENCY (gunicorn reads it) sets the number of workers; GUNICORN_CMD_ARGS adds options.
# Sync workers, one request each, behind nginx (which buffers slow clients): a checkout request is
# CPU-bound once its queries are compiled once (extension/statements.py), and threads sharing one
# GIL doubled create's p99 for 7 % less throughput (bench/RESULTS.md, checkout). About 2 per core.
ENV WEB_CONCURRENCY=4
CMD ["gunicorn", "fsapi.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--timeout", "30", "--graceful-timeout", "20"]
