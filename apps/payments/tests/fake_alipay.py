"""Alipay, faked for tests: key pairs made here, notifies signed here (with `cryptography`, not the
code under test), and Alipay's HTTP gateway answered by `responses` — nothing leaves the machine."""

import base64
import json
import threading
from datetime import datetime
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

import requests
import responses
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

APP_ID = "2021000000000001"
GATEWAY_URL = "https://openapi.alipay.com/gateway.do"
RETURN_URL = "http://client.test/alipay"
NOTIFY_URL = "http://api.test/payments/alipay/notify/"
BEIJING = ZoneInfo("Asia/Shanghai")


class KeyPair:
    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.private_pem = self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        self.public_pem = (
            self.key.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )

    def sign(self, message: str) -> str:
        return base64.b64encode(self.key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()

    def verifies(self, message: str, signature: str) -> bool:
        try:
            self.key.public_key().verify(
                base64.b64decode(signature), message.encode(), padding.PKCS1v15(), hashes.SHA256()
            )
            return True
        except Exception:
            return False


def beijing(moment: datetime) -> str:
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def sign_notify(params: dict, alipay_key: KeyPair) -> dict:
    """Alipay's signature of a notify or return: all but sign and sign_type, sorted, k=v&k=v."""
    params = {key: value for key, value in params.items() if key not in ("sign", "sign_type")}
    message = "&".join(f"{key}={params[key]}" for key in sorted(params))
    return {**params, "sign_type": "RSA2", "sign": alipay_key.sign(message)}


def notify_params(order, alipay_key: KeyPair, **overrides) -> dict:
    params = {
        "app_id": APP_ID,
        "auth_app_id": APP_ID,
        "charset": "utf-8",
        "version": "1.0",
        "notify_type": "trade_status_sync",
        "notify_id": "2026112600222151423000000000001",
        "notify_time": "2026-11-26 15:00:01",
        "gmt_create": "2026-11-26 14:59:40",
        "gmt_payment": "2026-11-26 15:00:00",
        "out_trade_no": order.order_number,
        "trade_no": f"2026112622001400000{order.pk:09d}",
        "trade_status": "TRADE_SUCCESS",
        "total_amount": f"{order.real_price:.2f}",
        "receipt_amount": f"{order.real_price:.2f}",
        "subject": "课程",
        "seller_id": "2088000000000000",
        "buyer_id": "2088000000000001",
        "fund_bill_list": '[{"amount":"358.00","fundChannel":"ALIPAYACCOUNT"}]',
    }
    params.update(overrides)
    return sign_notify(params, alipay_key)


def request_params(url: str) -> dict:
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def request_signature_ok(params: dict, app_key: KeyPair) -> bool:
    """A request's signature covers every parameter but `sign` (sign_type included)."""
    params = dict(params)
    signature = params.pop("sign")
    return app_key.verifies("&".join(f"{key}={params[key]}" for key in sorted(params)), signature)


class FakeAlipayGateway:
    """Answers alipay.trade.query / alipay.trade.close like Alipay, signed with the Alipay test key.

    `trades` maps out_trade_no to a query answer body; unknown ones are ACQ.TRADE_NOT_EXIST.
    `down` makes every call a connection error; `calls` lists the (method, biz_content) seen.
    alipay.trade.refund and alipay.trade.fastpay.refund.query answer as Alipay does: `refunds` maps
    out_request_no to the refund made (a repeat moves no money, fund_change "N"), `money_moves`
    counts refunds that paid money out; `refund_refusal` (a sub_code) makes refunds fail."""

    def __init__(self, alipay_key: KeyPair, app_key: KeyPair, mock: responses.RequestsMock):
        self.alipay_key = alipay_key
        self.app_key = app_key
        self.trades = {}
        self.down = False
        self.calls = []
        self.refunds = {}
        self.money_moves = 0
        self.refund_refusal = ""
        self._lock = threading.Lock()
        mock.add_callback(responses.GET, GATEWAY_URL, callback=self._answer)

    def paid(self, order, trade_no="2026112622001400000000000042", amount=None):
        self.trades[order.order_number] = {
            "code": "10000",
            "msg": "Success",
            "trade_no": trade_no,
            "out_trade_no": order.order_number,
            "trade_status": "TRADE_SUCCESS",
            "total_amount": amount or f"{order.real_price:.2f}",
            "send_pay_date": "2026-11-26 15:00:00",
        }

    def _answer(self, request):
        params = request_params(request.url)
        biz = json.loads(params.get("biz_content", "{}"))
        self.calls.append((params.get("method"), biz))
        if self.down:
            raise requests.exceptions.ConnectionError("Alipay is down")
        assert request_signature_ok(params, self.app_key), "our request must be signed with the app key"
        method = params["method"]
        if method in ("alipay.trade.refund", "alipay.trade.fastpay.refund.query"):
            body = self._refund(method, biz)
            return 200, {"Content-Type": "application/json;charset=utf-8"}, self.signed(method, body)
        body = self.trades.get(biz.get("out_trade_no"))
        if body is None:
            body = {
                "code": "40004",
                "msg": "Business Failed",
                "sub_code": "ACQ.TRADE_NOT_EXIST",
                "sub_msg": "交易不存在",
            }
        elif method == "alipay.trade.close":
            body = {"code": "10000", "msg": "Success", "out_trade_no": biz["out_trade_no"]}
        return 200, {"Content-Type": "application/json;charset=utf-8"}, self.signed(method, body)

    def _refund(self, method: str, biz: dict) -> dict:
        number = biz["out_request_no"]
        with self._lock:
            done = self.refunds.get(number)
            if method == "alipay.trade.fastpay.refund.query":
                if done is None:
                    return {"code": "10000", "msg": "Success"}
                return {"code": "10000", "msg": "Success", "out_request_no": number, "refund_status": "REFUND_SUCCESS",
                        "refund_amount": done["refund_fee"], "trade_no": done["trade_no"]}  # fmt: skip
            if done is not None:
                return {**done, "fund_change": "N"}
            if self.refund_refusal:
                return {"code": "40004", "msg": "Business Failed", "sub_code": self.refund_refusal, "sub_msg": "拒绝"}
            done = {
                "code": "10000",
                "msg": "Success",
                "trade_no": biz.get("trade_no", ""),
                "out_trade_no": biz.get("out_trade_no", ""),
                "fund_change": "Y",
                "refund_fee": biz["refund_amount"],
                "gmt_refund_pay": "2026-11-27 10:00:00",
            }
            self.refunds[number] = done
            self.money_moves += 1
            return done

    def refunded_total(self) -> Decimal:
        return sum((Decimal(r["refund_fee"]) for r in self.refunds.values()), Decimal("0.00"))

    def signed(self, method: str, body: dict) -> str:
        content = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        response_type = method.replace(".", "_") + "_response"
        return f'{{"{response_type}":{content},"sign":"{self.alipay_key.sign(content)}"}}'
