"""The orders, cart, coupon and payments endpoints are viewset actions wired by explicit
`as_view({method: action})` maps: every URL name still reverses to the path the client calls,
answers the methods it always did (any other is a 405 in the envelope) and keeps its operation id
in the schema (clients and the fuzz step read them)."""

import pytest
from django.urls import resolve, reverse

from extension.viewsets import APIViewSet

pytestmark = pytest.mark.django_db

NUMBER = "2" * 24  # an order number (24 digits)

# name, URL kwargs, path, {method: operation id}
ROUTES = [
    ("order-create", {}, "/order/", {"POST": "order_create"}),
    ("order-pay-status", {}, "/order/pay/status/", {"GET": "order_pay_status_retrieve"}),
    ("order-pay-choices", {}, "/order/pay/choices/", {"GET": "order_pay_choices_retrieve"}),
    ("order-list", {}, "/order/list/", {"GET": "order_list_list"}),
    ("order-detail", {"pk": 7}, "/order/7/", {"PUT": "order_update", "DELETE": "order_destroy"}),
    ("order-recover", {"pk": 7}, "/order/7/recover/", {"POST": "order_recover_create"}),
    ("order-refund", {"pk": 7}, "/order/7/refund/", {"GET": "order_refund_retrieve", "POST": "order_refund_create"}),
    (
        "cart",
        {},
        "/cart/",
        {
            "GET": "cart_list",
            "POST": "cart_create",
            "PUT": "cart_update",
            "PATCH": "cart_partial_update",
            "DELETE": "cart_destroy",
        },
    ),
    ("cart-checkout", {}, "/cart/order/", {"GET": "cart_order_retrieve"}),
    ("coupon-list", {}, "/coupon/", {"GET": "coupon_list"}),
    ("coupon-enable", {}, "/coupon/enable/", {"GET": "coupon_enable_retrieve"}),
    ("coupon-mine", {}, "/coupon/mine/", {"GET": "coupon_mine_list"}),
    ("balance-recharge", {}, "/user/balance/recharge/", {"POST": "user_balance_recharge_create"}),
    ("payments:alipay-result", {}, "/payments/alipay/result/", {"GET": "payments_alipay_result_retrieve"}),
    ("payments:alipay-notify", {}, "/payments/alipay/notify/", {"POST": "payments_alipay_notify_create"}),
    (
        "payments:alipay-notify-no-slash",
        {},
        "/payments/alipay/notify",
        {"POST": "payments_alipay_notify_without_slash"},
    ),
    (
        "payments:alipay-query",
        {"order_number": NUMBER},
        f"/payments/alipay/query/{NUMBER}/",
        {"GET": "payments_alipay_query_retrieve"},
    ),
    (
        "payments:alipay-pay-link",
        {"order_number": NUMBER},
        f"/payments/alipay/{NUMBER}/",
        {"GET": "payments_alipay_retrieve"},
    ),
]
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
IDS = [route[0] for route in ROUTES]


def mapped_methods(path: str) -> set[str]:
    return {method.upper() for method in resolve(path).func.actions} - {"HEAD"}


@pytest.mark.parametrize(("name", "kwargs", "path", "operations"), ROUTES, ids=IDS)
def test_every_url_name_reverses_to_its_path_and_maps_its_methods_to_viewset_actions(name, kwargs, path, operations):
    assert reverse(name, kwargs=kwargs) == path
    match = resolve(path)
    assert f"{match.namespace}:{match.url_name}".lstrip(":") == name
    assert issubclass(match.func.cls, APIViewSet)
    assert mapped_methods(path) == set(operations)
    for method, action_name in match.func.actions.items():
        if method == "head":  # DRF adds it to the map, to the GET action, on the first request
            continue
        declared = getattr(getattr(match.func.cls, action_name), "mapping", None)  # an @action's methods
        assert declared is None or method in declared, (path, method, action_name)


@pytest.mark.parametrize(("name", "kwargs", "path", "operations"), ROUTES, ids=IDS)
def test_a_method_no_action_answers_is_405_in_the_envelope(auth_client, name, kwargs, path, operations):
    allowed = [method for method in ("GET", "POST", "PUT", "PATCH", "DELETE") if method in operations]
    allowed += ["HEAD"] if "GET" in operations else []
    for method in METHODS:
        if method in operations:
            continue
        response = auth_client.generic(method, path)
        assert response.status_code == 405, (method, path, response.status_code)
        body = response.json()
        assert set(body) == {"code", "message", "data"} and body["code"] == 405 and body["data"] is None
        assert sorted(response["Allow"].split(", ")) == sorted([*allowed, "OPTIONS"]), (method, path)


def test_operation_ids_and_methods_in_the_schema_are_unchanged(api_client):
    paths = api_client.get("/api/schema/?format=json").json()["paths"]
    for _name, kwargs, path, operations in ROUTES:
        template = path
        for key, value in kwargs.items():
            template = template.replace(f"/{value}/", "/{" + ("id" if key == "pk" else key) + "}/")
        assert {method.upper(): op["operationId"] for method, op in paths[template].items()} == operations
