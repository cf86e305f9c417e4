import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(api_client):
    response = api_client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def data_schema(operation) -> dict:
    return operation["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["data"]


def component(schema, ref: str) -> dict:
    return schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def test_schema_describes_request_and_answer_of_every_cart_method(schema):
    cart, checkout = schema["paths"]["/cart/"], schema["paths"]["/cart/order/"]
    assert sorted(cart) == ["delete", "get", "patch", "post", "put"]

    assert component(schema, data_schema(cart["get"])["items"]["$ref"])["required"] == sorted(
        ["course_cover", "credit", "discount", "id", "name", "price", "real_price", "selected", "unpaid_order"]
    )
    for method in ("post", "patch", "put", "delete"):
        assert component(schema, data_schema(cart[method])["$ref"])["properties"] == {"cart_total": {"type": "integer"}}
    for method, required in (("post", ["course_id"]), ("patch", ["course_id", "selected"]), ("put", ["selected"])):
        body = cart[method]["requestBody"]
        assert body["required"] is True
        assert component(schema, body["content"]["application/json"]["schema"]["$ref"])["required"] == required
    assert [(p["name"], p["in"], p["required"]) for p in cart["delete"]["parameters"]] == [("course_id", "query", True)]

    checkout_data = component(schema, data_schema(checkout["get"])["$ref"])
    assert sorted(checkout_data["properties"]) == [
        "course_list",
        "credit_to_money",
        "max_credit",
        "real_price",
        "total_price",
    ]
