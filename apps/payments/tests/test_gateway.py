import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from apps.payments.channel import get_gateway
from apps.payments.gateway import format_amount, load_rsa_key
from apps.payments.tests.fake_alipay import GATEWAY_URL, request_params, request_signature_ok


def bare_base64(pem: str) -> str:
    return "".join(line for line in pem.splitlines() if not line.startswith("-----"))


@pytest.mark.parametrize("form", ["pem", "path", "base64"])
def test_keys_load_from_pem_text_file_path_or_bare_base64(form, app_key, tmp_path):
    value = {"pem": app_key.private_pem, "base64": bare_base64(app_key.private_pem)}.get(form)
    if form == "path":
        value = str(tmp_path / "app.pem")
        (tmp_path / "app.pem").write_text(app_key.private_pem)

    pem = load_rsa_key(value, setting="ALIPAY_APP_PRIVATE_KEY")

    assert pem.startswith("-----BEGIN RSA PRIVATE KEY-----")


@pytest.mark.parametrize("value", ["", "   ", "not a key", "/no/such/file.pem", "QUJD"])
def test_unusable_keys_are_a_configuration_error(value):
    with pytest.raises(ImproperlyConfigured):
        load_rsa_key(value, setting="ALIPAY_PUBLIC_KEY")


def test_keys_given_as_files_sign_a_verifiable_link(alipay_settings, app_key, alipay_key, tmp_path):
    (tmp_path / "app.pem").write_text(app_key.private_pem)
    (tmp_path / "alipay.pem").write_text(alipay_key.public_pem)
    alipay_settings.ALIPAY_APP_PRIVATE_KEY = str(tmp_path / "app.pem")
    alipay_settings.ALIPAY_PUBLIC_KEY = str(tmp_path / "alipay.pem")

    url = get_gateway().page_pay_url(
        out_trade_no="202611260000000100000001",
        total_amount=Decimal("358"),
        subject="课程",
        time_expire=timezone.now() + timedelta(minutes=15),
    )

    assert url.startswith(GATEWAY_URL)
    params = request_params(url)
    assert request_signature_ok(params, app_key)
    assert json.loads(params["biz_content"])["total_amount"] == "358.00"


def test_alipay_debug_uses_alipays_sandbox_gateway(alipay_settings):
    alipay_settings.ALIPAY_DEBUG = True

    url = get_gateway().page_pay_url(
        out_trade_no="1", total_amount=Decimal("1"), subject="s", time_expire=timezone.now() + timedelta(minutes=1)
    )

    assert url.startswith("https://openapi-sandbox.dl.alipaydev.com/gateway.do?")


@pytest.mark.parametrize(
    ("amount", "text"), [(Decimal("358"), "358.00"), (Decimal("0.1"), "0.10"), (Decimal("1234567.89"), "1234567.89")]
)
def test_amounts_are_strings_with_two_decimals(amount, text):
    assert format_amount(amount) == text


@pytest.mark.parametrize("sign", ["", "not base64!", "QUJD"])
def test_verify_rejects_garbage_signatures(alipay_settings, sign):
    assert get_gateway().verify({"app_id": "1", "sign": sign, "sign_type": "RSA2"}) is False
