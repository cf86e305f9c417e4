"""The envelope every JSON answer of the API wears: {"code", "message", "data"}.

The Vue client reads `response.data.data`; `code` repeats the HTTP status for errors and is 200 for
every success (201 included), as the tutorial's client expects.
"""

from rest_framework import status as http_status
from rest_framework.response import Response


def envelope(data=None, message: str = "ok", status: int = http_status.HTTP_200_OK) -> dict:
    return {"code": 200 if status < 400 else status, "message": message, "data": data}


class APIResponse(Response):
    def __init__(self, data=None, message: str = "ok", status: int = http_status.HTTP_200_OK, headers=None):
        super().__init__(envelope(data, message, status), status=status, headers=headers)
