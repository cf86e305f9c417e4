from extension.exceptions import Conflict, NotFound, ServiceError


class CourseNotFound(NotFound):
    default_detail = "课程不存在或已下架"
    default_code = "course_not_found"


class CourseAlreadyOwned(ServiceError):
    default_detail = "您已购买过该课程，无需再加入购物车，可在「我的课程」中学习"
    default_code = "course_already_owned"


class CourseInUnpaidOrder(Conflict):
    """409 as SPEC §4b's order-time twin: the course is not wrong, the state of an order is."""

    default_detail = "该课程已在待支付的订单中，请先支付或取消该订单"
    default_code = "course_in_unpaid_order"


class CartFull(ServiceError):
    default_detail = "购物车已满，请先结算或删除部分课程"
    default_code = "cart_full"


class LineNotInCart(NotFound):
    default_detail = "购物车中没有该课程"
    default_code = "line_not_in_cart"
