"""Over a real keep-alive connection to gunicorn (the image's command line): a body the API
refuses unread — 3 MB, past the 2 MiB limit (413), or a big one sent without a token (401) —
must not break the connection for the next request. Either the answer says `Connection: close`
and the server closes, or it says keep-alive and the next request on it is answered."""

import json
import socket

import pytest

from tests.gunicorn_server import gunicorn_server

pytestmark = pytest.mark.django_db(transaction=True)


def send(conn, method: str, path: str, body: bytes = b"", headers: str = "") -> None:
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n{headers}"
    if body:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    conn.sendall(head.encode() + b"\r\n" + body)


def receive(conn) -> tuple[int, dict, bytes]:
    """(status, headers in lower case, body) of one response, read by its Content-Length."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        assert chunk, f"the server closed the connection without an answer (got {data[:100]!r})"
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.strip().lower(): value.strip() for name, value in (line.split(":", 1) for line in lines)}
    length = int(headers.get("content-length", 0))
    while len(rest) < length:
        chunk = conn.recv(65536)
        assert chunk, "the server closed the connection in the middle of an answer"
        rest += chunk
    return int(status_line.split()[1]), headers, rest[:length]


def closed_by_server(conn) -> bool:
    try:
        return conn.recv(1) == b""
    except ConnectionResetError:
        return True


def big_json(size: int) -> bytes:
    return json.dumps({"username": "a" * size, "password": "x"}).encode()


@pytest.mark.parametrize(
    "cmd_args, keeps_alive",
    [
        pytest.param("", False, id="image-default"),  # sync workers, as the image starts
        pytest.param("--threads 1", False, id="sync"),  # gunicorn's sync worker: closes after each answer
        pytest.param("--workers 2 --threads 4", True, id="gthread"),  # threads: keep-alive (the attack run's setup)
    ],
)
def test_a_refused_big_body_leaves_the_keep_alive_connection_usable(cmd_args, keeps_alive):
    with gunicorn_server(cmd_args=cmd_args) as port, socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        requests = [
            ("POST", "/user/login/", big_json(3 * 1024 * 1024), 413),  # over DATA_UPLOAD_MAX_MEMORY_SIZE
            ("POST", "/order/", big_json(1024 * 1024), 401),  # refused before the body is parsed
            ("GET", "/course/direction/", b"", 200),
        ]
        for method, path, body, expected in requests:
            send(conn, method, path, body)
            status, headers, answer = receive(conn)
            assert status == expected and json.loads(answer)["code"] == expected
            if headers["connection"].lower() == "close":
                assert closed_by_server(conn)  # a proper close: the client knows to reconnect
                break
            assert headers["connection"].lower() == "keep-alive"
        else:
            return  # every answer kept the connection, and the next request on it was answered
        assert not keeps_alive, "a threaded worker should keep the connection"
