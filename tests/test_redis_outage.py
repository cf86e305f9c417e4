"""Redis stops (a real redis-server process of this test's own, killed): every endpoint that needs
it answers 503 in the envelope, the ones that need only the database keep working, `/healthz`
names redis, and nothing is half done — no order, no credit spent, no coupon lost. Redis comes back
empty on the same port: everything works again at once and `sync_coupons` restores the coupons."""

import pytest
import responses
from django.core.management import call_command
from django.test import Client

from apps.cart import redis_store
from apps.coupon.models import CouponLog
from apps.coupon.services import mirror_coupon_logs
from apps.coupon.tests.factories import CouponLogFactory
from apps.course.tests.factories import CourseFactory
from apps.orders.models import Order
from apps.payments.gateway import GatewayUnavailable
from apps.payments.models import Payment
from apps.payments.services import ALIPAY_UNREACHABLE, close_trade
from apps.payments.tests import fake_alipay
from apps.payments.tests.factories import OrderFactory
from apps.users.models import Credit, User, UserCourse
from apps.users.tests.factories import UserFactory
from conftest import client_for
from tests.builders import unpaid_order
from tests.envelope import assert_envelope
from tests.redis_server import RedisServer

pytestmark = [pytest.mark.django_db, pytest.mark.fault]


@pytest.fixture
def redis_server(settings):
    """A throwaway Redis behind the `default`, `cart` and `coupon` connections (the Celery
    broker stays on the suite's Redis: schedule_timeout already survives a broker outage)."""
    server = RedisServer()
    server.start()
    settings.CACHES = {
        alias: {
            **config,
            "LOCATION": server.url(settings.REDIS_DATABASES[alias]),
            "OPTIONS": {**config["OPTIONS"], "SOCKET_CONNECT_TIMEOUT": 0.3, "SOCKET_TIMEOUT": 0.5},
        }
        for alias, config in settings.CACHES.items()
    }
    yield server
    server.stop()


@pytest.fixture(scope="module")
def keys():
    return fake_alipay.KeyPair(), fake_alipay.KeyPair()


@pytest.fixture
def alipay(settings, keys):
    app_key, alipay_key = keys
    settings.ALIPAY_APP_ID = fake_alipay.APP_ID
    settings.ALIPAY_APP_PRIVATE_KEY = app_key.private_pem
    settings.ALIPAY_PUBLIC_KEY = alipay_key.public_pem
    settings.ALIPAY_DEBUG = False
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield fake_alipay.FakeAlipayGateway(alipay_key, app_key, mock)


@pytest.fixture
def shop(redis_server, alipay, django_capture_on_commit_callbacks):
    """A customer (500 credit) with an unpaid order that used a coupon and 100 credit, another
    unpaid order to pay, a spare coupon, and two selected courses in the cart."""
    user = UserFactory(credit=500)
    with django_capture_on_commit_callbacks(execute=True):
        _, to_cancel, used = unpaid_order(user, mirror=True)
    spare = CouponLogFactory(user=user)
    mirror_coupon_logs([spare.id])
    to_pay = OrderFactory(user=user, order_number=f"20200101{user.pk:08d}00000099")
    redis_store.add_lines(user.id, [CourseFactory(credit=200).id, CourseFactory(credit=200).id])
    return {"user": user, "used": used, "spare": spare, "to_cancel": to_cancel, "to_pay": to_pay}


def test_while_redis_is_down_endpoints_answer_clear_envelopes_and_nothing_is_half_done(
    redis_server, shop, api_client, alipay, django_capture_on_commit_callbacks
):
    user, to_cancel, to_pay = shop["user"], shop["to_cancel"], shop["to_pay"]
    client = client_for(user)  # a token needs no Redis
    orders_before = Order.objects.count()
    course = CourseFactory()

    redis_server.stop()

    health = assert_envelope(api_client.get("/healthz"), 503)
    assert health["data"]["database"] == "ok" and health["data"]["redis"].startswith("error")
    assert "redis" in health["message"]

    needs_redis = [
        # login: the throttle and the cart size live in Redis; refusing beats an unthrottled login
        api_client.post("/user/login/", {"username": user.username, "password": "password123"}, format="json"),
        api_client.post(
            "/user/register/", {"mobile": "13912345678", "password": "pw123456", "re_password": "pw123456"}
        ),
        client.get("/cart/"),
        client.post("/cart/", {"course_id": course.id}, format="json"),
        client.patch("/cart/", {"course_id": course.id, "selected": False}, format="json"),
        client.put("/cart/", {"selected": True}, format="json"),
        client.delete(f"/cart/?course_id={course.id}"),
        client.get("/cart/order/"),
        client.get("/coupon/"),
        client.get("/coupon/enable/"),
        client.post("/order/", {"pay_type": 0, "user_coupon_id": shop["spare"].id, "credit": 100}, format="json"),
        client.get(f"/payments/alipay/{to_pay.order_number}/"),  # the link must be remembered
    ]
    for response in needs_redis:
        assert_envelope(response, 503)

    # nothing of the refused order happened
    assert Order.objects.count() == orders_before
    assert User.objects.get(pk=user.pk).credit == 400
    assert CouponLog.objects.get(pk=shop["spare"].id).order_id is None
    assert not User.objects.filter(mobile="13912345678").exists()

    # what needs only the database still works
    for response in (
        client.get("/user/info/"),
        client.patch("/user/info/", {"city": "杭州"}, format="json"),
        api_client.get("/course/"),
        api_client.get("/course/direction/"),
        client.get("/order/list/"),
        client.get("/order/pay/status/"),
        client.get(f"/payments/alipay/query/{to_pay.order_number}/"),
    ):
        assert_envelope(response, 200)

    # Alipay's money is never refused for Redis: the notify pays the order
    notify = api_client.post("/payments/alipay/notify/", fake_alipay.notify_params(to_pay, alipay.alipay_key))
    assert notify.status_code == 200 and notify.content == b"success"
    to_pay.refresh_from_db()
    assert to_pay.order_status == Order.Status.PAID
    assert UserCourse.objects.filter(user=user, course_id=to_pay.order_courses.get().course_id).exists()

    # cancelling is a database transition: credit and coupon come back; Redis is caught up later
    with django_capture_on_commit_callbacks(execute=True):
        assert_envelope(client.put(f"/order/{to_cancel.id}/"), 200)
    assert User.objects.get(pk=user.pk).credit == 500
    assert Credit.objects.filter(user=user, operation=Credit.Operation.REFUND).count() == 1
    assert CouponLog.objects.get(pk=shop["used"].id).order_id is None
    # …but putting its courses back into the cart needs the cart
    assert_envelope(client.post(f"/order/{to_cancel.id}/recover/"), 503)


def test_when_redis_comes_back_empty_everything_works_again_and_sync_restores_the_coupons(
    redis_server, shop, api_client, django_capture_on_commit_callbacks
):
    user, used, spare = shop["user"], shop["used"], shop["spare"]
    client = client_for(user)
    redis_server.stop()
    with django_capture_on_commit_callbacks(execute=True):
        assert_envelope(client.put(f"/order/{shop['to_cancel'].id}/"), 200)  # frees `used` meanwhile

    redis_server.start()  # the same port, no data: the carts and the coupon copy are gone

    assert assert_envelope(api_client.get("/healthz"), 200)["data"] == {"database": "ok", "redis": "ok"}
    login = api_client.post("/user/login/", {"username": user.username, "password": "password123"}, format="json")
    assert login.status_code == 200 and login.json()["cart_total"] == 0
    assert assert_envelope(client.get("/coupon/"), 200)["data"] == []

    call_command("sync_coupons")

    listed = assert_envelope(client.get("/coupon/"), 200)["data"]
    assert sorted(record["user_coupon_id"] for record in listed) == sorted([used.id, spare.id])

    courses = [CourseFactory(price="300.00", credit=200), CourseFactory(credit=200)]
    for course in courses:
        assert_envelope(client.post("/cart/", {"course_id": course.id}, format="json"), 200)
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post("/order/", {"pay_type": 0, "user_coupon_id": spare.id, "credit": 100}, format="json")
    assert created.status_code == 201, created.json()
    assert CouponLog.objects.get(pk=spare.id).order_id == created.json()["data"]["id"]
    assert [record["user_coupon_id"] for record in client.get("/coupon/").json()["data"]] == [used.id]
    assert redis_store.cart_total(user.id) == 0
    assert User.objects.get(pk=user.pk).credit == 400


def test_the_local_sandbox_while_redis_is_down_answers_a_503_page_and_the_poll_keeps_working(
    redis_server, settings, tmp_path
):
    """The sandbox remembers closed trades in Redis: without it the cashier cannot tell whether a
    trade may be paid, so it says so (503 page, nothing paid) instead of a raw 500; the poll
    answers the order's state from the database, as with an unreachable Alipay."""
    settings.ALIPAY_APP_ID = ""
    settings.ALIPAY_SANDBOX = True
    settings.ALIPAY_SANDBOX_DIR = tmp_path
    user = UserFactory()
    order = OrderFactory(user=user, order_number=f"20200101{user.pk:08d}00000098")
    client = client_for(user)
    link = assert_envelope(client.get(f"/payments/alipay/{order.order_number}/"), 200)["data"]["link"]
    cashier = link.removeprefix("http://testserver")
    browser = Client(raise_request_exception=False)

    redis_server.stop()

    page = browser.get(cashier)
    assert page.status_code == 503 and "暂时不可用" in page.content.decode()
    pay = browser.post(cashier)
    assert pay.status_code == 503 and "未发生任何扣款" in pay.content.decode()
    poll = assert_envelope(client.get(f"/payments/alipay/query/{order.order_number}/"), 200)
    assert poll["data"]["order_status"] == Order.Status.UNPAID and poll["message"] == ALIPAY_UNREACHABLE
    order.refresh_from_db()
    assert order.order_status == Order.Status.UNPAID and not Payment.objects.exists()
    with pytest.raises(GatewayUnavailable):  # so close_alipay_trade retries later
        close_trade(order.order_number)

    redis_server.start()  # back (empty): the same link pays
    assert browser.get(cashier).status_code == 200
    assert browser.post(cashier).status_code == 302
    order.refresh_from_db()
    assert order.order_status == Order.Status.PAID and Payment.objects.filter(order=order).count() == 1
    assert UserCourse.objects.filter(user=user, course_id=order.order_courses.get().course_id).exists()
    poll = assert_envelope(client.get(f"/payments/alipay/query/{order.order_number}/"), 200)
    assert poll["data"]["order_status"] == Order.Status.PAID
