from extension.exceptions import NotFound, ServiceError


class CourseNotFound(NotFound):
    default_detail = "课程不存在或已下架"
    default_code = "course_not_found"


class CourseAlreadyOwned(ServiceError):
    default_detail = "您已购买过该课程，无需再加入购物车"
    default_code = "course_already_owned"


class CartFull(ServiceError):
    default_detail = "购物车已满，请先结算或删除部分课程"
    default_code = "cart_full"


class LineNotInCart(NotFound):
    default_detail = "购物车中没有该课程"
    default_code = "line_not_in_cart"
