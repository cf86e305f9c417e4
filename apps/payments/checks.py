"""Startup checks: a half-configured Alipay is found by `manage.py check`, not by the first buyer."""

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.core.exceptions import ImproperlyConfigured


@register()
def check_alipay_settings(app_configs, **kwargs):
    from apps.payments.gateway import load_rsa_key

    if settings.ALIPAY_APP_ID:
        problems = []
        for name in ("ALIPAY_APP_PRIVATE_KEY", "ALIPAY_PUBLIC_KEY"):
            try:
                load_rsa_key(getattr(settings, name), setting=name)
            except ImproperlyConfigured as exc:
                problems.append(Error(str(exc), hint="PEM text, a PEM file path or the base64 key", id="payments.E001"))
        return problems
    if not settings.ALIPAY_SANDBOX:
        return [
            Warning("ALIPAY_APP_ID is empty and ALIPAY_SANDBOX is off: Alipay pay links answer 503", id="payments.W001")
        ]
    if not settings.DEBUG:
        return [
            Warning(
                "the local Alipay sandbox is on with DEBUG off: anyone can pay their orders for free",
                hint="set ALIPAY_APP_ID and its keys, or ALIPAY_SANDBOX=0",
                id="payments.W002",
            )
        ]
    return []
