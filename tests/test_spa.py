"""The Vue app's routes are served by Django at `/`, and never in place of an API answer."""

import pytest

HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # a browser navigation
AXIOS = "application/json, text/plain, */*"


@pytest.fixture
def built_app(settings, tmp_path):
    (tmp_path / "index.html").write_text("<!doctype html><div id=app></div>", encoding="utf-8")
    settings.WEB_DIST = tmp_path
    return tmp_path


@pytest.mark.parametrize(
    "path", ["/", "/login", "/user", "/user/", "/user/order", "/project", "/project/1", "/cart", "/order", "/alipay"]
)
def test_browser_navigation_to_an_app_route_gets_the_app(client, built_app, path):
    response = client.get(path, HTTP_ACCEPT=HTML)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"<div id=app>" in response.content
    assert response["Cache-Control"] == "no-cache"


def test_the_return_page_keeps_alipays_query_string(client, built_app):
    response = client.get("/alipay?out_trade_no=202601010000000100000001&sign=x", HTTP_ACCEPT=HTML)
    assert response.status_code == 200 and b"<div id=app>" in response.content


@pytest.mark.django_db
def test_api_paths_still_reach_the_api(client, built_app):
    login = client.post("/user/login/", {"username": "nobody", "password": "wrong-password"}, HTTP_ACCEPT=AXIOS)
    assert login.status_code == 401 and login.json()["code"] == 401
    info = client.get("/user/info/", HTTP_ACCEPT=AXIOS)
    assert info.status_code == 401 and info.json()["code"] == 401
    courses = client.get("/course/", HTTP_ACCEPT=AXIOS)
    assert courses.status_code == 200 and "results" in courses.json()["data"]
    assert client.get("/healthz", HTTP_ACCEPT=HTML)["Content-Type"].startswith("application/json")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/course/",
        "/course/1/",
        "/user/login/",
        "/user/info/",
        "/user/register/",
        "/user/token/refresh/",
        "/cart/",
        "/cart/order/",
        "/coupon/",
        "/order/",
        "/order/list/",
        "/order/pay/status/",
        "/payments/alipay/query/202601010000000100000001/",
        "/healthz",
    ],
)
def test_an_api_path_never_gets_the_app_even_from_a_browser(client, built_app, path):
    response = client.get(path, HTTP_ACCEPT=HTML)
    assert response["Content-Type"].startswith("application/json"), (path, response.status_code)
    assert b"<div id=app>" not in response.content


@pytest.mark.django_db
def test_an_api_path_without_its_slash_redirects_like_append_slash(client, built_app):
    response = client.get("/course?page=2", HTTP_ACCEPT=AXIOS)
    assert response.status_code == 301 and response["Location"] == "/course/?page=2"


@pytest.mark.parametrize("path", ["/user/order", "/nothing/here/", "/cart"])
def test_a_non_browser_request_for_an_app_route_is_a_404_envelope(client, built_app, path):
    response = client.get(path, HTTP_ACCEPT=AXIOS)
    if response.status_code == 301:  # /cart → /cart/ once the cart API exists
        assert response["Location"] == path + "/"
        return
    assert response.status_code == 404
    assert response.json() == {"code": 404, "message": response.json()["message"], "data": None}


@pytest.mark.parametrize("path", ["/admin", "/api/docs"])
def test_server_pages_without_their_slash_still_redirect(client, built_app, path):
    response = client.get(path, HTTP_ACCEPT=HTML)
    assert response.status_code == 301 and response["Location"] == path + "/"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_only_get_is_served_the_app(client, built_app, method):
    response = getattr(client, method)("/user/order", HTTP_ACCEPT=HTML)
    assert response.status_code == 404 and response.json()["code"] == 404


@pytest.mark.parametrize("path", ["/assets/missing-abcdefgh.js", "/no-such-file.txt", "/api/nothing", "/admin-x.png"])
def test_missing_files_and_reserved_prefixes_are_not_the_app(client, built_app, path):
    response = client.get(path, HTTP_ACCEPT=HTML)
    assert response.status_code == 404
    assert b"<div id=app>" not in response.content


def test_without_a_build_the_root_says_the_web_app_is_not_built(client, settings, tmp_path):
    settings.WEB_DIST = tmp_path / "missing"
    page = client.get("/", HTTP_ACCEPT=HTML)
    assert page.status_code == 200 and b"not built" in page.content
    note = client.get("/", HTTP_ACCEPT=AXIOS)
    assert note.status_code == 200 and "not built" in note.json()["message"]
