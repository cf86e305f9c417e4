from extension.exceptions import Conflict, ServiceError, ServiceUnavailable


class NotifyRefused(ServiceError):
    """A notify (or return) that must change nothing: the endpoint answers "fail" with HTTP 400."""

    default_detail = "支付通知无效"
    default_code = "notify_refused"


class BadSignature(NotifyRefused):
    default_detail = "支付宝签名验证失败"
    default_code = "bad_signature"


class WrongAppId(NotifyRefused):
    default_detail = "支付宝应用 ID 不匹配"
    default_code = "wrong_app_id"


class WrongSellerId(NotifyRefused):
    default_detail = "支付宝卖家 ID 不匹配"
    default_code = "wrong_seller_id"


class TradeOfAnotherOrder(NotifyRefused):
    """The trade number is already recorded for another order: a trade belongs to one order."""

    default_detail = "该支付宝交易已属于另一笔订单"
    default_code = "trade_of_another_order"


class UnknownTrade(NotifyRefused):
    default_detail = "订单不存在"
    default_code = "unknown_trade"


class WrongAmount(NotifyRefused):
    default_detail = "支付金额与订单金额不一致"
    default_code = "wrong_amount"


class MalformedNotify(NotifyRefused):
    default_detail = "支付通知缺少必要参数"
    default_code = "malformed_notify"


class OrderNotPayable(Conflict):
    default_detail = "订单不是待支付状态，无法支付"
    default_code = "order_not_payable"


class PaymentExpired(Conflict):
    default_detail = "订单已超过支付时限"
    default_code = "payment_expired"


class NothingToPay(ServiceError):
    default_detail = "订单实付金额为 0，无需在线支付"
    default_code = "nothing_to_pay"


class NotAlipayOrder(ServiceError):
    default_detail = "该订单的支付方式不是支付宝"
    default_code = "not_alipay_order"


class PaymentNotConfigured(ServiceUnavailable):
    default_detail = "支付服务暂未配置，请联系管理员"
    default_code = "payment_not_configured"


class PaymentNotRefundable(Conflict):
    default_detail = "只有待退款的支付记录可以标记为已退款"
    default_code = "payment_not_refundable"


# --- refunds (SPEC §9.3) ---------------------------------------------------------------------


class OrderNotRefundable(Conflict):
    default_detail = "只有已支付的订单可以申请退款"
    default_code = "order_not_refundable"


class RefundWindowPassed(ServiceError):
    default_detail = "已超过可申请退款的期限"
    default_code = "refund_window_passed"


class RefundReasonRequired(ServiceError):
    default_detail = "请填写退款原因"
    default_code = "refund_reason_required"


class RefundAlreadyOpen(Conflict):
    default_detail = "该订单已有处理中的退款申请"
    default_code = "refund_already_open"


class RefundNotPending(Conflict):
    default_detail = "只有待审核的退款申请可以审核"
    default_code = "refund_not_pending"


class RefundNotRetryable(Conflict):
    default_detail = "只有退款失败的记录可以重试"
    default_code = "refund_not_retryable"


class RejectReasonRequired(ServiceError):
    default_detail = "请填写拒绝原因"
    default_code = "reject_reason_required"


class RechargeTradeMismatch(NotifyRefused):
    """A top-up already credited by another Alipay trade (Alipay keeps one trade per number)."""

    default_detail = "该充值单已由另一笔支付宝交易入账"
    default_code = "recharge_trade_mismatch"


class RechargeNotFound(ServiceError):
    default_detail = "充值单不存在"
    default_code = "recharge_not_found"
