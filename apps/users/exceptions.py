from rest_framework.exceptions import Throttled

from extension.exceptions import ServiceError


class InsufficientCredit(ServiceError):
    default_detail = "您的积分不足"
    default_code = "insufficient_credit"


class MobileTaken(ServiceError):
    default_detail = "该手机号已注册"
    default_code = "mobile_taken"


class LoginLocked(Throttled):
    """Too many failed logins on one account: refused whatever the password, for a while."""

    default_detail = "该账号登录失败次数过多，已被暂时锁定，请稍后再试"
    extra_detail_singular = extra_detail_plural = "（{wait} 秒后可重试）"
    default_code = "login_locked"


class InsufficientMoney(ServiceError):
    default_detail = "余额不足"
    default_code = "insufficient_money"


class AdjustmentReasonRequired(ServiceError):
    default_detail = "请填写调整原因"
    default_code = "adjustment_reason_required"
