"""The one check of SPEC §1's envelope that every API test uses, for successes and errors alike."""


def assert_envelope(response, status: int) -> dict:
    """The answer has HTTP `status` and exactly the envelope's keys; `code` is 200 for any success
    (201 included) and the HTTP status for an error; `message` is a human one, never a traceback
    or an exception's name. Answers the body."""
    assert response.status_code == status, (response.status_code, response.content[:300])
    body = response.json()
    assert set(body) == {"code", "message", "data"}, body
    assert body["code"] == (200 if status < 300 else status), body
    assert body["message"] and "Traceback" not in body["message"] and "Error" not in body["message"], body
    return body
