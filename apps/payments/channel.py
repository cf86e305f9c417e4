"""Which Alipay the settings name: the real one (python-alipay-sdk, apps/payments/gateway.py) with
ALIPAY_APP_ID, else the local sandbox standing in for it (apps/payments/sandbox.py) while
ALIPAY_SANDBOX is on. Both modules are below this one: the gateway never imports the sandbox.
"""

from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from apps.payments.gateway import AlipayGateway, load_rsa_key
from apps.payments.sandbox import get_sandbox_gateway


def sandbox_enabled() -> bool:
    """The local sandbox answers only without real credentials and with ALIPAY_SANDBOX on."""
    return not settings.ALIPAY_APP_ID and settings.ALIPAY_SANDBOX


def get_gateway() -> AlipayGateway:
    """The gateway the current settings describe (built once per distinct configuration)."""
    if settings.ALIPAY_APP_ID:
        return _real_gateway(
            settings.ALIPAY_APP_ID,
            settings.ALIPAY_APP_PRIVATE_KEY,
            settings.ALIPAY_PUBLIC_KEY,
            settings.ALIPAY_DEBUG,
            settings.ALIPAY_RETURN_URL,
            settings.ALIPAY_NOTIFY_URL,
            settings.ALIPAY_TIMEOUT,
        )
    if settings.ALIPAY_SANDBOX:
        return get_sandbox_gateway()
    raise ImproperlyConfigured("Alipay is not configured: set ALIPAY_APP_ID and its keys (or ALIPAY_SANDBOX=1)")


@lru_cache(maxsize=4)
def _real_gateway(app_id, private_key, public_key, debug, return_url, notify_url, timeout) -> AlipayGateway:
    return AlipayGateway(
        app_id=app_id,
        app_private_key=load_rsa_key(private_key, setting="ALIPAY_APP_PRIVATE_KEY"),
        alipay_public_key=load_rsa_key(public_key, setting="ALIPAY_PUBLIC_KEY"),
        debug=debug,
        return_url=return_url,
        notify_url=notify_url,
        timeout=timeout,
    )
