"""The local Alipay sandbox: with no ALIPAY_APP_ID (and ALIPAY_SANDBOX on, the DEBUG default) it
stands in for Alipay so that order → pay → paid works on one machine.

- Two RSA key pairs are generated once and kept in ALIPAY_SANDBOX_DIR (var/alipay-sandbox/):
  `app_private_key.pem` (ours, signs the page-pay request) and `alipay_private_key.pem` (plays
  Alipay's, signs notifies and return parameters). Delete the directory to get new ones.
- The page-pay link is the same signed request a real gateway gets, sent to a cashier page this
  project serves (/payments/alipay/sandbox/cashier/). The cashier checks the request like Alipay
  would (our signature, app id, expiry, trade closed or already paid).
- Its 支付 button builds the notify Alipay would send, signed with the sandbox Alipay key, and the
  signed return parameters; the cashier view hands the notify in-process to `services.handle_notify`
  — the service behind POST /payments/alipay/notify/, with the same verification — then redirects
  to ALIPAY_RETURN_URL with the return parameters. The sandbox itself never calls a service.
- Trade query answers from the local Payment records (TRADE_CLOSED once refunded in full, as
  Alipay answers); trade close marks the trade closed in Redis.
- Refund (alipay.trade.refund) and refund query answer as Alipay does, remembering each refund in
  Redis by its out_request_no: a repeat answers the same (fund_change "N") and refunds nothing more;
  a trade is never refunded past what it paid. `set_unreachable(True)` makes every refund and query
  call fail as an unreachable Alipay would (for tests and the e2e "Alipay down" case).
  While Redis is down the sandbox cannot tell a closed trade from an open one, so it answers as
  an unreachable Alipay would (GatewayUnavailable): the poll still answers from the database,
  the cashier shows a 503 page, a close is retried.
"""

import base64
import json
import os
import uuid
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

import redis.exceptions
from Cryptodome.Hash import SHA256
from Cryptodome.PublicKey import RSA
from Cryptodome.Signature import PKCS1_v1_5
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from apps.payments import redis_store
from apps.payments.gateway import (
    AlipayGateway,
    CloseResult,
    GatewayUnavailable,
    RefundAnswer,
    Trade,
    format_alipay_time,
    parse_alipay_time,
    parse_amount,
    unsigned_string,
)

SANDBOX_APP_ID = "fsapi-sandbox"
SANDBOX_SELLER_ID = "2088000000000000"
SANDBOX_BUYER_ID = "2088000000000001"
REDIS_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


class SandboxRefused(Exception):
    """The sandbox cashier will not take this payment; the message is shown to the buyer."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class SandboxPayment:
    """What paying at the sandbox cashier produces: Alipay's signed notify and where the buyer goes."""

    notify: dict
    return_url: str


@dataclass(frozen=True)
class SandboxKeys:
    app_private: str
    app_public: str
    alipay_private: str
    alipay_public: str


def _public_pem(private_pem: str) -> str:
    return RSA.import_key(private_pem).public_key().export_key().decode()


def _private_key(directory: Path, name: str) -> str:
    """The PEM private key in directory/name, generated on first use. Web, worker and beat may
    start together: the key is written under a temporary name and hard-linked into place, so
    whichever process links first wins and the others read its key."""
    path = directory / name
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
        )
        temporary = directory / f".{name}.{os.getpid()}.{uuid.uuid4().hex}"
        temporary.write_bytes(pem)
        temporary.chmod(0o600)
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return path.read_text()


def sandbox_keys(directory: Path) -> SandboxKeys:
    directory = Path(directory)
    app_private = _private_key(directory, "app_private_key.pem")
    alipay_private = _private_key(directory, "alipay_private_key.pem")
    return SandboxKeys(app_private, _public_pem(app_private), alipay_private, _public_pem(alipay_private))


def rsa2_sign(private_pem: str, message: str) -> str:
    signature = PKCS1_v1_5.new(RSA.import_key(private_pem)).sign(SHA256.new(message.encode()))
    return base64.b64encode(signature).decode()


def rsa2_verify(public_pem: str, message: str, signature: str) -> bool:
    try:
        raw = base64.b64decode(signature, validate=True)
        return bool(PKCS1_v1_5.new(RSA.import_key(public_pem)).verify(SHA256.new(message.encode()), raw))
    except (ValueError, TypeError):
        return False


class SandboxGateway(AlipayGateway):
    """Our side is the real SDK client (with the sandbox app key); Alipay's side is this class."""

    is_sandbox = True

    def __init__(self, *, keys: SandboxKeys, return_url: str, notify_url: str, timeout: float):
        super().__init__(
            app_id=SANDBOX_APP_ID,
            app_private_key=keys.app_private,
            alipay_public_key=keys.alipay_public,
            debug=True,
            return_url=return_url,
            notify_url=notify_url,
            timeout=timeout,
        )
        self.keys = keys

    def page_pay_url(self, **kwargs) -> str:
        """A path on this server (the view makes it absolute with the request's host)."""
        return f"{reverse('payments:alipay-sandbox-cashier')}?{self.page_pay_query(**kwargs)}"

    def query_trade(self, out_trade_no: str) -> Trade:
        from apps.payments.models import Payment, Recharge

        payment = Payment.objects.filter(out_trade_no=out_trade_no).order_by("id").first()
        if payment is None:  # a top-up paid here is recorded on its Recharge row
            payment = Recharge.objects.filter(recharge_number=out_trade_no, status=Recharge.Status.PAID).first()
        if payment is not None:
            # as at Alipay, a trade refunded in full is closed (its trade number and amount stay)
            status = "TRADE_CLOSED" if self._refunded_in_full(payment) else "TRADE_SUCCESS"
            return Trade(
                out_trade_no=out_trade_no,
                status=status,
                trade_no=payment.trade_no,
                total_amount=payment.amount,
                paid_at=payment.paid_at,
                raw={"code": "10000", "trade_status": status, "trade_no": payment.trade_no, "sandbox": True},
            )
        if self.is_closed(out_trade_no):
            return Trade(out_trade_no=out_trade_no, status="TRADE_CLOSED", raw={"code": "10000"})
        return Trade(out_trade_no=out_trade_no, raw={"code": "40004", "sub_code": "ACQ.TRADE_NOT_EXIST"})

    def close_trade(self, out_trade_no: str) -> CloseResult:
        try:
            redis_store.sandbox_close_trade(out_trade_no)
        except REDIS_DOWN as exc:
            raise GatewayUnavailable(f"sandbox trade store (Redis) unreachable: {exc}") from exc
        return CloseResult.CLOSED

    def refund(self, *, out_trade_no: str, trade_no: str, out_request_no: str, amount: Decimal, reason: str = ""):
        """alipay.trade.refund, answered as Alipay would (see the module docstring)."""
        self._reachable()
        return self.refund_answer(out_request_no, self._refund(out_trade_no, trade_no, out_request_no, amount))

    def refund_query(self, *, out_trade_no: str, trade_no: str, out_request_no: str):
        """alipay.trade.fastpay.refund.query: the remembered refund, or Alipay's empty success."""
        self._reachable()
        try:
            done = redis_store.sandbox_refund(out_request_no)
        except REDIS_DOWN as exc:
            raise GatewayUnavailable(f"sandbox trade store (Redis) unreachable: {exc}") from exc
        if done is None:
            return RefundAnswer(out_request_no, False, None, {"code": "10000", "msg": "Success"})
        answer = {
            "code": "10000",
            "msg": "Success",
            "trade_no": done["trade_no"],
            "out_trade_no": done["out_trade_no"],
            "out_request_no": out_request_no,
            "total_amount": done["total_amount"],
            "refund_amount": done["refund_fee"],
            "refund_status": "REFUND_SUCCESS",
            "gmt_refund_pay": done["gmt_refund_pay"],
        }
        return RefundAnswer(out_request_no, True, parse_amount(done["refund_fee"]), answer)

    @staticmethod
    def set_unreachable(unreachable: bool) -> None:
        """Switch the sandbox's refund calls off (as if Alipay were unreachable) or on again."""
        redis_store.sandbox_set_unreachable(unreachable)

    @staticmethod
    def refunds_of(trade_no: str) -> Decimal:
        """What the sandbox has refunded of a trade in all (tests count the money that left)."""
        return Decimal(redis_store.sandbox_refunded_cents(trade_no)) / 100

    # --- Alipay's side ---------------------------------------------------------------------

    def _refunded_in_full(self, payment) -> bool:
        try:
            refunded = redis_store.sandbox_refunded_cents(payment.trade_no)
        except REDIS_DOWN as exc:
            raise GatewayUnavailable(f"sandbox trade store (Redis) unreachable: {exc}") from exc
        return refunded >= int(payment.amount * 100) > 0

    def _reachable(self) -> None:
        try:
            down = redis_store.sandbox_unreachable()
        except REDIS_DOWN as exc:
            raise GatewayUnavailable(f"sandbox trade store (Redis) unreachable: {exc}") from exc
        if down:
            raise GatewayUnavailable("Alipay unreachable (sandbox switched off)")

    def _refund(self, out_trade_no: str, trade_no: str, out_request_no: str, amount: Decimal) -> dict:
        from apps.payments.models import Payment

        try:
            done = redis_store.sandbox_refund(out_request_no)
            if done is not None:  # Alipay: the same out_request_no again → the same refund, no money moves
                return {**done, "fund_change": "N"}
            payments = Payment.objects.filter(trade_no=trade_no) if trade_no else Payment.objects.none()
            if not trade_no:
                payments = Payment.objects.filter(out_trade_no=out_trade_no).order_by("id")[:1]
            payment = payments.first()
            if payment is None:
                return {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.TRADE_NOT_EXIST",
                        "sub_msg": "交易不存在"}  # fmt: skip
            cents = int(Decimal(amount) * 100)
            if redis_store.sandbox_add_refunded_cents(payment.trade_no, cents) > int(payment.amount * 100):
                redis_store.sandbox_add_refunded_cents(payment.trade_no, -cents)
                return {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL",
                        "sub_msg": "退款金额超限"}  # fmt: skip
            answer = {
                "code": "10000",
                "msg": "Success",
                "trade_no": payment.trade_no,
                "out_trade_no": payment.out_trade_no,
                "buyer_logon_id": "159****0000",
                "fund_change": "Y",
                "refund_fee": f"{Decimal(amount):.2f}",
                "total_amount": f"{payment.amount:.2f}",
                "gmt_refund_pay": format_alipay_time(timezone.now()),
                "sandbox": True,
            }
            if not redis_store.sandbox_keep_refund(out_request_no, answer):
                # a concurrent repeat won: give its money back
                redis_store.sandbox_add_refunded_cents(payment.trade_no, -cents)
                return {**redis_store.sandbox_refund(out_request_no), "fund_change": "N"}
            return answer
        except REDIS_DOWN as exc:
            raise GatewayUnavailable(f"sandbox trade store (Redis) unreachable: {exc}") from exc

    # --- Alipay's side: the cashier --------------------------------------------------------

    def is_closed(self, out_trade_no: str) -> bool:
        """Whether the trade was closed; GatewayUnavailable when Redis, which remembers it, is down."""
        try:
            return redis_store.sandbox_trade_closed(out_trade_no)
        except REDIS_DOWN as exc:
            raise GatewayUnavailable(f"sandbox trade store (Redis) unreachable: {exc}") from exc

    def sign_as_alipay(self, params: dict) -> dict:
        """`params` with `sign_type` and the sandbox Alipay key's `sign`, as Alipay sends them."""
        params = {key: value for key, value in params.items() if key not in ("sign", "sign_type")}
        return {**params, "sign_type": "RSA2", "sign": rsa2_sign(self.keys.alipay_private, unsigned_string(params))}

    def read_request(self, params) -> dict:
        """The page-pay request's business content, once Alipay's checks pass; else SandboxRefused."""
        params = {key: params[key] for key in params}
        signature = params.pop("sign", "")
        # a request's signature covers sign_type too (a notify's does not)
        message = "&".join(f"{key}={params[key]}" for key in sorted(params))
        if not signature or not rsa2_verify(self.keys.app_public, message, signature):
            raise SandboxRefused("支付请求签名无效")
        if params.get("app_id") != self.app_id or params.get("method") != "alipay.trade.page.pay":
            raise SandboxRefused("支付请求参数无效")
        try:
            biz = json.loads(params.get("biz_content", ""))
        except json.JSONDecodeError as exc:
            raise SandboxRefused("支付请求参数无效") from exc
        amount = parse_amount(biz.get("total_amount"))
        expire = parse_alipay_time(biz.get("time_expire"))
        if not biz.get("out_trade_no") or amount is None or amount <= 0 or expire is None:
            raise SandboxRefused("支付请求参数无效")
        biz["return_url"] = params.get("return_url") or self.return_url
        biz["expire_at"] = expire
        return biz

    def trade_state(self, biz: dict) -> str:
        """Why Alipay's cashier would not take this trade now, or "" when it can be paid."""
        out_trade_no = biz["out_trade_no"]
        trade = self.query_trade(out_trade_no)
        if trade.is_paid:
            return "该交易已支付"
        if trade.status == "TRADE_CLOSED" or self.is_closed(out_trade_no) or biz["expire_at"] <= timezone.now():
            return "交易已关闭（已取消或已超时）"
        return ""

    def pay(self, params) -> SandboxPayment:
        """Pay the requested trade as Alipay would: the signed notify it sends and the return URL
        it sends the buyer to (the caller hands the notify to the service, then redirects)."""
        biz = self.read_request(params)
        refusal = self.trade_state(biz)
        if refusal:
            raise SandboxRefused(refusal, status=409)
        now = format_alipay_time(timezone.now())
        amount = f"{Decimal(biz['total_amount']):.2f}"
        common = {
            "app_id": self.app_id,
            "auth_app_id": self.app_id,
            "charset": "utf-8",
            "version": "1.0",
            "out_trade_no": biz["out_trade_no"],
            # one trade per order, as at Alipay: a second click replays the same payment
            "trade_no": f"SANDBOX{biz['out_trade_no']}",
            "total_amount": amount,
            "seller_id": settings.ALIPAY_SELLER_ID or SANDBOX_SELLER_ID,
        }
        notify = {
            **common,
            "notify_type": "trade_status_sync",
            "notify_id": uuid.uuid4().hex,
            "notify_time": now,
            "gmt_create": now,
            "gmt_payment": now,
            "trade_status": "TRADE_SUCCESS",
            "subject": biz.get("subject", ""),
            "receipt_amount": amount,
            "buyer_pay_amount": amount,
            "invoice_amount": amount,
            "point_amount": "0.00",
            "buyer_id": SANDBOX_BUYER_ID,
            "fund_bill_list": json.dumps([{"amount": amount, "fundChannel": "ALIPAYACCOUNT"}]),
        }
        answer = self.sign_as_alipay({**common, "method": "alipay.trade.page.pay.return", "timestamp": now})
        separator = "&" if "?" in biz["return_url"] else "?"
        return SandboxPayment(self.sign_as_alipay(notify), f"{biz['return_url']}{separator}{urlencode(answer)}")


def get_sandbox_gateway() -> SandboxGateway:
    return _sandbox_gateway(
        str(settings.ALIPAY_SANDBOX_DIR),
        settings.ALIPAY_RETURN_URL,
        settings.ALIPAY_NOTIFY_URL,
        settings.ALIPAY_TIMEOUT,
    )


@lru_cache(maxsize=4)
def _sandbox_gateway(directory: str, return_url: str, notify_url: str, timeout: float) -> SandboxGateway:
    keys = sandbox_keys(Path(directory))
    return SandboxGateway(keys=keys, return_url=return_url, notify_url=notify_url, timeout=timeout)
