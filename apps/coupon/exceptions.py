from extension.exceptions import Conflict, ServiceError


class CouponNotFound(ServiceError):
    default_detail = "优惠券不存在"
    default_code = "coupon_not_found"


class CouponUsed(ServiceError):
    default_detail = "优惠券已使用或已过期"
    default_code = "coupon_used"


class CouponTaken(Conflict):
    default_detail = "优惠券已被其他未支付订单占用"
    default_code = "coupon_taken"


class CouponNotInTime(ServiceError):
    default_detail = "优惠券不在有效期内"
    default_code = "coupon_not_in_time"


class CouponNotApplicable(ServiceError):
    default_detail = "优惠券不适用于所选课程，或未达到使用门槛"
    default_code = "coupon_not_applicable"


class CouponSoldOut(ServiceError):
    default_detail = "优惠券剩余数量不足"
    default_code = "coupon_sold_out"
