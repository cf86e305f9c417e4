"""Sentry error reports, started from settings only when SENTRY_DSN is set."""

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.integrations.logging import LoggingIntegration


def init_sentry(*, dsn: str, environment: str, traces_sample_rate: float) -> None:
    """The API's and the worker's unhandled errors, and ERROR log lines (our exception handler
    answers a 500 itself and logs it: the logging integration reports that line with its
    traceback). No personal data: Sentry sees no user names, cookies or bodies."""
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        traces_sample_rate=traces_sample_rate,
        send_default_pii=False,
        integrations=[
            DjangoIntegration(),
            CeleryIntegration(),
            LoggingIntegration(event_level="ERROR"),
        ],
    )
