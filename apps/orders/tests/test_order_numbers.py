"""Order numbers (SPEC §4.5 revised, issue 11 item 11): YYYYMMDD + 16 digits, unique, not guessable
from a neighbour's, revealing neither the user id nor the shop's running order count."""

import re
from datetime import date

import pytest
from django.utils import timezone
from django_redis import get_redis_connection

from apps.cart import redis_store
from apps.course.tests.factories import CourseFactory
from apps.orders.models import Order
from apps.orders.services import create_order
from apps.users.tests.factories import UserFactory

# (apps.orders.numbers is imported inside the tests below it: the regression tests above run,
# and fail by their assertions, on code that predates the module)


def place_orders(user, count: int, django_capture_on_commit_callbacks) -> list[str]:
    numbers = []
    for _ in range(count):
        redis_store.add_line(user.id, CourseFactory().id)
        with django_capture_on_commit_callbacks(execute=True):
            numbers.append(create_order(user=user, pay_type=0).order_number)
    return numbers


@pytest.mark.django_db
def test_numbers_are_24_digits_of_today_and_carry_no_user_id(django_capture_on_commit_callbacks):
    user = UserFactory(id=73_519_264)
    numbers = place_orders(user, 3, django_capture_on_commit_callbacks)
    today = f"{timezone.localdate():%Y%m%d}"
    for number in numbers:
        assert isinstance(number, str) and re.fullmatch(rf"{today}\d{{16}}", number)
        assert "73519264" not in number and str(user.id) not in number[8:]
    assert len(set(numbers)) == 3


@pytest.mark.django_db
def test_consecutive_orders_bear_no_arithmetic_relation_to_the_counter(django_capture_on_commit_callbacks):
    """Before: the last 8 digits were the shop's counter, so two orders told anyone how many orders
    the shop took in between, and the next number was the last plus one."""
    user = UserFactory()
    get_redis_connection("cart").set("order_number", 4_000_000)
    numbers = place_orders(user, 6, django_capture_on_commit_callbacks)
    suffixes = [int(number[8:]) for number in numbers]
    steps = {b - a for a, b in zip(suffixes, suffixes[1:], strict=False)}
    assert len(steps) == 5  # no constant step
    assert all(abs(step) > 10**6 for step in steps)  # neighbours are far apart
    for counter, suffix in enumerate(suffixes, start=4_000_001):
        assert str(counter) not in f"{suffix:016d}"
        assert suffix % 10**8 != counter % 10**8 and suffix // 10**8 != counter


def test_the_permutation_is_a_bijection_so_numbers_are_unique():
    from apps.orders.numbers import DOMAIN, order_number_key, permute, unpermute

    key = order_number_key()
    images = {permute(counter, key=key, tweak=b"20261201") for counter in range(1, 10_001)}
    assert len(images) == 10_000 and all(0 <= image < DOMAIN for image in images)
    for counter in (0, 1, 2, 12345, DOMAIN - 1, 10**15 + 7):
        assert unpermute(permute(counter, key=key, tweak=b"x"), key=key, tweak=b"x") == counter


def test_neighbouring_counters_give_unrelated_numbers():
    from apps.orders.numbers import order_number_key, permute

    key = order_number_key()
    images = [permute(counter, key=key) for counter in range(1, 2001)]
    steps = [b - a for a, b in zip(images, images[1:], strict=False)]
    assert len(set(steps)) == len(steps)  # not an arithmetic sequence, nor nearly one
    assert sum(step > 0 for step in steps) in range(850, 1150)  # up or down like a coin
    # every digit position is used evenly: nothing of the counter shows through
    for position in range(16):
        digits = {f"{image:016d}"[position] for image in images}
        assert len(digits) == 10


def test_the_number_depends_on_the_key_and_the_day():
    from apps.orders.numbers import format_order_number

    day = date(2026, 12, 1)
    assert format_order_number(day, 7, key=b"k1") != format_order_number(day, 7, key=b"k2")
    assert format_order_number(day, 7, key=b"k1")[8:] != format_order_number(date(2026, 12, 2), 7, key=b"k1")[8:]
    assert format_order_number(day, 7, key=b"k1") == format_order_number(day, 7, key=b"k1")


def test_order_number_key_comes_from_the_setting_or_the_secret_key(settings):
    from apps.orders.numbers import order_number_key

    settings.ORDER_NUMBER_KEY = ""
    derived = order_number_key()
    assert derived != settings.SECRET_KEY.encode()
    settings.ORDER_NUMBER_KEY = "another-key-of-the-operator"
    assert order_number_key() != derived


@pytest.mark.django_db
def test_many_orders_get_distinct_numbers_through_redis(django_capture_on_commit_callbacks):
    from apps.orders.services import next_order_number

    numbers = [next_order_number() for _ in range(3000)]
    assert len(set(numbers)) == 3000 and all(len(number) == 24 for number in numbers)


@pytest.mark.django_db
def test_a_counter_reset_makes_a_clash_and_the_order_is_made_again_under_the_next_number(
    django_capture_on_commit_callbacks,
):
    """The Redis counter went back (a restore, a flush): the next number is taken, so the whole
    create runs again (no savepoint per insert): one order, its credit spent once."""
    from apps.users.models import Credit, User

    user = UserFactory(credit=100)
    get_redis_connection("cart").set("order_number", 500)
    [first] = place_orders(user, 1, django_capture_on_commit_callbacks)
    get_redis_connection("cart").set("order_number", 500)  # the next one is `first` again
    redis_store.add_line(user.id, CourseFactory().id)
    with django_capture_on_commit_callbacks(execute=True):
        order = create_order(user=user, pay_type=0, credit=10)
    assert order.order_number != first
    assert int(get_redis_connection("cart").get("order_number")) == 502  # one number skipped
    assert User.objects.get(pk=user.pk).credit == 90
    assert list(Credit.objects.filter(user=user).values_list("number", flat=True)) == [-10]
    assert Order.objects.filter(user=user).count() == 2


@pytest.mark.django_db
def test_numbers_that_keep_clashing_end_in_order_number_unavailable(monkeypatch, django_capture_on_commit_callbacks):
    from apps.orders import services
    from apps.orders.exceptions import OrderNumberUnavailable
    from apps.users.models import User

    user = UserFactory(credit=100)
    [taken] = place_orders(user, 1, django_capture_on_commit_callbacks)
    monkeypatch.setattr(services, "next_order_number", lambda: taken)
    redis_store.add_line(user.id, CourseFactory().id)
    with pytest.raises(OrderNumberUnavailable):
        create_order(user=user, pay_type=0, credit=10)
    assert User.objects.get(pk=user.pk).credit == 100
    assert Order.objects.filter(user=user).count() == 1
