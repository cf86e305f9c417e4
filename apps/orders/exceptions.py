from extension.exceptions import Conflict, NotFound, ServiceError


class OrderNotFound(NotFound):
    default_detail = "订单不存在"
    default_code = "order_not_found"


class EmptySelection(ServiceError):
    default_detail = "购物车没有要下单的商品"
    default_code = "empty_selection"


class CoursesAlreadyOwned(ServiceError):
    default_detail = "您已购买过所选的部分课程，请从购物车中移除后再下单"
    default_code = "courses_owned"


class CoursesInUnpaidOrder(Conflict):
    default_detail = "所选课程已在未支付的订单中，请先支付或取消该订单"
    default_code = "courses_in_unpaid_order"


class InvalidCredit(ServiceError):
    default_detail = "使用的积分数量不正确"
    default_code = "invalid_credit"


class OrderNotCancellable(Conflict):
    default_detail = "只有未支付的订单可以取消"
    default_code = "order_not_cancellable"


class OrderNotDeletable(Conflict):
    default_detail = "只有已取消或已超时的订单可以删除"
    default_code = "order_not_deletable"


class OrderNotRecoverable(Conflict):
    default_detail = "只有已取消或已超时的订单可以恢复"
    default_code = "order_not_recoverable"


class OrderNumberUnavailable(Conflict):
    default_detail = "订单号生成失败，请重试"
    default_code = "order_number_unavailable"
