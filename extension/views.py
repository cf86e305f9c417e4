"""Django's own error pages (outside DRF views) answered in the envelope."""

from django.http import JsonResponse

from extension.response import envelope
from extension.return_code import default_message


def _error(status: int) -> JsonResponse:
    return JsonResponse(
        envelope(None, default_message(status), status), status=status, json_dumps_params={"ensure_ascii": False}
    )


def bad_request(request, exception=None):
    return _error(400)


def permission_denied(request, exception=None):
    return _error(403)


def page_not_found(request, exception=None):
    return _error(404)


def server_error(request):
    return _error(500)
