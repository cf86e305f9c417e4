from decimal import ROUND_FLOOR, Decimal

from django.conf import settings
from django.db.models import Q

from apps.users.models import User, UserCourse
from extension.money import ZERO, to_money


def owned_course_ids(*, user_id: int, course_ids=None) -> set[int]:
    """Ids of the courses the user owns (restricted to `course_ids` when given)."""
    queryset = UserCourse.objects.filter(user_id=user_id, is_deleted=False)
    if course_ids is not None:
        queryset = queryset.filter(course_id__in=list(course_ids))
    return set(queryset.values_list("course_id", flat=True))


def user_by_login_name(name: str):
    """The account a login name means: a username, a mobile number or an e-mail address (the
    oldest account when several match), or None. The login backend and the login throttles use
    this one lookup, so all three names of an account share its failure count."""
    return (
        User.objects.filter(Q(username=name) | Q(mobile=name) | Q(email__iexact=name)).order_by("id").first()
        if name
        else None
    )


def max_usable_credit(*, balance: int, course_credit: int, to_pay: Decimal) -> int:
    """The most credit one order may use (SPEC §4.4): what the user has, what its courses allow,
    and no more than buys what is left to pay after the coupon (`to_pay`), so that credit never
    buys nothing. The checkout data and order creation both ask here."""
    to_pay = max(to_money(to_pay), ZERO)
    by_price = int((to_pay * settings.CREDIT_TO_MONEY).to_integral_value(rounding=ROUND_FLOOR))
    return max(0, min(balance, course_credit, by_price))
