"""The one place that talks to Alipay: python-alipay-sdk (RSA2). `channel.get_gateway()` builds it
from settings, or the local sandbox (a subclass, apps/payments/sandbox.py) when no app id is set.

Services use these: the page-pay URL, `read_notify` (signature and app id checked, then parsed) for
notify and return parameters, trade query, trade close, refund and refund query; a gateway never
calls a service. Network calls go through `requests` with a
timeout (so tests replace Alipay with `responses`); every failure surfaces as a `GatewayError`.
"""

import base64
import binascii
import enum
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo

import requests
from alipay import AliPay
from alipay.exceptions import AliPayException, AliPayValidationError
from Cryptodome.PublicKey import RSA
from django.core.exceptions import ImproperlyConfigured

from apps.payments import exceptions

logger = logging.getLogger("fsapi.payments")

ALIPAY_TZ = ZoneInfo("Asia/Shanghai")  # Alipay's timestamps are Beijing time without an offset
ALIPAY_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
SUCCESS_STATUSES = frozenset({"TRADE_SUCCESS", "TRADE_FINISHED"})
TRADE_NOT_EXIST = "ACQ.TRADE_NOT_EXIST"
SIGN_FIELDS = ("sign", "sign_type")


class GatewayError(Exception):
    """Alipay could not give a usable answer."""


class GatewayUnavailable(GatewayError):
    """Alipay was not reached or answered garbage: worth retrying later."""


class GatewayRefused(GatewayError):
    """Alipay answered, and the answer is no (or could not be trusted): retrying will not help."""


# Alipay's refund errors that mean "try again with the same out_request_no"
REFUND_RETRYABLE = frozenset({"ACQ.SYSTEM_ERROR", "ACQ.REFUND_FEE_ERROR_RETRY"})


class CloseResult(enum.Enum):
    CLOSED = "closed"
    NOT_FOUND = "not_found"  # Alipay never saw the trade (the buyer never opened the cashier)


@dataclass(frozen=True)
class Trade:
    """What a trade query says. `status` is None when Alipay does not know the trade."""

    out_trade_no: str
    status: str | None = None
    trade_no: str = ""
    total_amount: Decimal | None = None
    paid_at: datetime | None = None
    raw: dict = field(default_factory=dict)

    @property
    def is_paid(self) -> bool:
        return self.status in SUCCESS_STATUSES


@dataclass(frozen=True)
class RefundAnswer:
    """What alipay.trade.refund (or the refund query) said about one out_request_no.

    `refunded` is True once Alipay holds the refund as done (a repeat of the same out_request_no
    answers the same, with fund_change "N": it never refunds twice); False when the refund query
    does not know the request (never made, so making it is safe)."""

    out_request_no: str
    refunded: bool
    amount: Decimal | None = None
    raw: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Notify:
    """Alipay-signed parameters (a notify, or the synchronous return) whose RSA2 signature and app
    id checked out, parsed; whether they fit an order or a top-up is the service's to check."""

    out_trade_no: str
    trade_no: str
    trade_status: str
    total_amount: Decimal | None
    paid_at: datetime | None
    seller_id: str | None
    params: dict

    @property
    def is_paid(self) -> bool:
        return self.trade_status in SUCCESS_STATUSES


def format_amount(amount: Decimal) -> str:
    """The amount as Alipay wants it, a string such as "358.00" (a Decimal breaks the SDK's JSON step)."""
    return f"{Decimal(amount).quantize(Decimal('0.01'))}"


def parse_amount(value) -> Decimal | None:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return amount if amount.is_finite() else None


def format_alipay_time(moment: datetime) -> str:
    return moment.astimezone(ALIPAY_TZ).strftime(ALIPAY_TIME_FORMAT)


def parse_alipay_time(value) -> datetime | None:
    try:
        return datetime.strptime(str(value), ALIPAY_TIME_FORMAT).replace(tzinfo=ALIPAY_TZ)
    except (TypeError, ValueError):
        return None


def load_rsa_key(value: str, *, setting: str) -> str:
    """A key given as PEM text, a path to a PEM file, or the bare base64 body Alipay's console
    shows, returned as PEM (PKCS#1 private keys, SubjectPublicKeyInfo public keys)."""
    value = (value or "").strip()
    if not value:
        raise ImproperlyConfigured(f"{setting} is empty")
    if "-----BEGIN" not in value:
        path = Path(value).expanduser()
        if len(value) < 1024 and path.is_file():
            value = path.read_text()
        else:
            try:
                value = base64.b64decode("".join(value.split()), validate=True)
            except (binascii.Error, ValueError) as exc:
                raise ImproperlyConfigured(f"{setting} is neither PEM text, a file, nor base64") from exc
    try:
        return RSA.import_key(value).export_key().decode()
    except (ValueError, IndexError, TypeError) as exc:
        raise ImproperlyConfigured(f"{setting} is not an RSA key") from exc


def unsigned_string(params: Mapping[str, str]) -> str:
    """What Alipay signs: every parameter but `sign` and `sign_type`, sorted, as `k=v&k=v`."""
    return "&".join(f"{key}={params[key]}" for key in sorted(params) if key not in SIGN_FIELDS)


class _SdkClient(AliPay):
    """The SDK, with its HTTP call made through `requests` (timeout, mockable) and its request
    timestamp in Beijing time whatever the server's clock zone."""

    def __init__(self, *args, timeout: float, **kwargs):
        super().__init__(*args, **kwargs)
        self.timeout = timeout

    @property
    def gateway_url(self) -> str:
        return self._gateway

    def build_body(self, method, biz_content=None, **kwargs):
        data = super().build_body(method, biz_content, **kwargs)
        data["timestamp"] = format_alipay_time(datetime.now(ALIPAY_TZ))
        return data

    def verified_sync_response(self, data, response_type):
        url = self._gateway + "?" + self.sign_data(data)
        try:
            response = requests.get(url, timeout=self.timeout)
        except requests.RequestException as exc:
            raise GatewayUnavailable(f"Alipay unreachable: {exc.__class__.__name__}") from exc
        if response.status_code >= 500:
            raise GatewayUnavailable(f"Alipay answered HTTP {response.status_code}")
        raw = response.content.decode("utf-8", errors="replace")
        try:
            return self._verify_and_return_sync_response(raw, response_type)
        except json.JSONDecodeError as exc:
            raise GatewayUnavailable("Alipay answered something that is not JSON") from exc
        except AliPayValidationError as exc:
            raise GatewayRefused("Alipay's answer failed signature verification") from exc
        except (AliPayException, AttributeError) as exc:  # unsigned error answers
            raise GatewayRefused(f"Alipay refused the call: {raw[:300]}") from exc


class AlipayGateway:
    """Alipay itself (its sandbox when ALIPAY_DEBUG is on), through python-alipay-sdk."""

    is_sandbox = False

    def __init__(self, *, app_id, app_private_key, alipay_public_key, debug, return_url, notify_url, timeout):
        self.app_id = app_id
        self.return_url = return_url
        self.notify_url = notify_url
        self.client = _SdkClient(
            appid=app_id,
            app_notify_url=notify_url,
            app_private_key_string=app_private_key,
            alipay_public_key_string=alipay_public_key,
            sign_type="RSA2",
            debug=debug,
            timeout=timeout,
        )

    def page_pay_query(self, *, out_trade_no: str, total_amount: Decimal, subject: str, time_expire: datetime) -> str:
        """The signed query string of an alipay.trade.page.pay request."""
        return self.client.api_alipay_trade_page_pay(
            subject=subject,
            out_trade_no=out_trade_no,
            total_amount=format_amount(total_amount),
            return_url=self.return_url,
            notify_url=self.notify_url,
            time_expire=format_alipay_time(time_expire),
        )

    def page_pay_url(self, **kwargs) -> str:
        """Where the buyer pays: Alipay's cashier with the signed request (see `page_pay_query`)."""
        return f"{self.client.gateway_url}?{self.page_pay_query(**kwargs)}"

    def verify(self, params: Mapping[str, str]) -> bool:
        """True when `params` (a notify or the synchronous return) carry Alipay's valid RSA2 signature."""
        params = dict(params)
        signature = params.pop("sign", "")
        if params.pop("sign_type", "RSA2") != "RSA2" or not signature:
            return False
        try:
            return self.client.verify(params, signature)
        except (ValueError, TypeError, binascii.Error):
            return False

    def read_notify(self, params: Mapping[str, str]) -> Notify:
        """`params` (a notify or the return) parsed, once Alipay's signature (BadSignature) and our
        app id (WrongAppId) check out."""
        params = {key: params[key] for key in params}
        if not self.verify(params):
            raise exceptions.BadSignature()
        if params.get("app_id") != self.app_id:
            raise exceptions.WrongAppId()
        return Notify(
            out_trade_no=params.get("out_trade_no", ""),
            trade_no=params.get("trade_no", ""),
            trade_status=params.get("trade_status", ""),
            total_amount=parse_amount(params.get("total_amount")),
            paid_at=parse_alipay_time(params.get("gmt_payment")),
            seller_id=params.get("seller_id"),
            params=params,
        )

    def query_trade(self, out_trade_no: str) -> Trade:
        answer = self.client.api_alipay_trade_query(out_trade_no=out_trade_no)
        if answer.get("code") == "10000":
            return Trade(
                out_trade_no=out_trade_no,
                status=answer.get("trade_status"),
                trade_no=answer.get("trade_no", ""),
                total_amount=parse_amount(answer.get("total_amount")),
                paid_at=parse_alipay_time(answer.get("send_pay_date")),
                raw=answer,
            )
        if answer.get("sub_code") == TRADE_NOT_EXIST:
            return Trade(out_trade_no=out_trade_no, raw=answer)
        raise self._refusal("trade query", answer)

    def close_trade(self, out_trade_no: str) -> CloseResult:
        answer = self.client.api_alipay_trade_close(out_trade_no=out_trade_no)
        if answer.get("code") == "10000":
            return CloseResult.CLOSED
        if answer.get("sub_code") == TRADE_NOT_EXIST:
            return CloseResult.NOT_FOUND
        raise self._refusal("trade close", answer)

    def refund(self, *, out_trade_no: str, trade_no: str, out_request_no: str, amount: Decimal, reason: str = ""):
        """alipay.trade.refund of `amount` of a trade. Idempotent by `out_request_no`: calling it again
        after a lost answer (timeout, a killed worker) refunds nothing more and answers the same.
        GatewayUnavailable (retry with the same out_request_no) or GatewayRefused (give up)."""
        answer = self.client.api_alipay_trade_refund(
            refund_amount=format_amount(amount),
            out_trade_no=out_trade_no or None,
            trade_no=trade_no or None,
            out_request_no=out_request_no,
            refund_reason=reason[:256] or "退款",
        )
        return self.refund_answer(out_request_no, answer)

    def refund_query(self, *, out_trade_no: str, trade_no: str, out_request_no: str) -> RefundAnswer:
        """alipay.trade.fastpay.refund.query: whether the refund `out_request_no` was made."""
        answer = self.client.api_alipay_trade_fastpay_refund_query(
            out_request_no, trade_no=trade_no or None, out_trade_no=out_trade_no or None
        )
        if answer.get("code") == "10000":
            status = answer.get("refund_status", "REFUND_SUCCESS")  # absent in older answers: a success
            done = bool(answer.get("refund_amount")) and status == "REFUND_SUCCESS"
            return RefundAnswer(out_request_no, done, parse_amount(answer.get("refund_amount")), answer)
        raise self._refusal("refund query", answer)

    @classmethod
    def refund_answer(cls, out_request_no: str, answer: dict) -> RefundAnswer:
        """Alipay's answer to alipay.trade.refund as a RefundAnswer (code 10000), or the error."""
        if answer.get("code") == "10000":
            return RefundAnswer(out_request_no, True, parse_amount(answer.get("refund_fee")), answer)
        if answer.get("sub_code") in REFUND_RETRYABLE:
            raise GatewayUnavailable(f"refund: {answer.get('sub_code')} {answer.get('sub_msg', '')}")
        raise cls._refusal("refund", answer)

    @staticmethod
    def _refusal(call: str, answer: dict) -> GatewayError:
        text = f"{call}: {answer.get('code')} {answer.get('sub_code', '')} {answer.get('sub_msg', '')}".strip()
        if answer.get("code") == "20000":  # Alipay's "service temporarily unavailable"
            return GatewayUnavailable(text)
        return GatewayRefused(text)
