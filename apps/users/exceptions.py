from extension.exceptions import ServiceError


class InsufficientCredit(ServiceError):
    default_detail = "您的积分不足"
    default_code = "insufficient_credit"


class MobileTaken(ServiceError):
    default_detail = "该手机号已注册"
    default_code = "mobile_taken"
