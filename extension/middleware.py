"""Read and drop what a view left unread of the request body (a 413, or an answer given before
the body was parsed), so that the connection's next request starts where the server expects it.

gunicorn's threaded worker announces `Connection: keep-alive`, then drains at most 64 KiB of an
unread body before it reads the next request; with more left it closes the connection, and a
proxy or client that pooled it finds it dead on its next request. A WSGI application cannot ask
for `Connection: close` (hop-by-hop headers are the server's), so the body is read here instead,
up to DISCARD_BODY_MAX_BYTES (a larger one is left to the server, which then closes)."""

import time

from django.conf import settings
from django.http import UnreadablePostError

CHUNK = 64 * 1024
DRAIN_SECONDS = 10  # a client that trickles its body does not hold a thread longer than this


class DiscardUnreadBodyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        discard_unread_body(request)
        return response


def discard_unread_body(request) -> None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return
    if length <= 0 or length > settings.DISCARD_BODY_MAX_BYTES:
        return
    deadline = time.monotonic() + DRAIN_SECONDS
    try:
        while request.read(CHUNK) and time.monotonic() < deadline:
            pass
    except (OSError, UnreadablePostError):
        pass  # the client went away: there is no next request to protect
