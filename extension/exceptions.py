"""Typed application errors and the one exception handler that answers every error in the envelope.

Services raise `ServiceError` subclasses (each knows its HTTP status); DRF's own handler answers
them and its own errors first, then `exception_handler` reshapes the answer into
{"code": status, "message": …, "data": field errors or None}. What nobody handled becomes a logged
500 (or a 503 when Redis or the database is unreachable) with no traceback in the answer.
"""

import logging
import re

import redis.exceptions
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.db import InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback
from rest_framework_simplejwt.exceptions import InvalidToken

from extension.response import APIResponse
from extension.return_code import default_message

logger = logging.getLogger("fsapi.errors")


class ServiceError(exceptions.APIException):
    """A business rule said no. Subclasses set `status_code` and `default_detail`."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "请求无法完成"
    default_code = "service_error"

    def __init__(self, detail=None, code=None, *, data=None):
        super().__init__(detail, code)
        self.data = data  # what the client needs to correct the request, answered as `data`


class Conflict(ServiceError):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "当前状态不允许此操作"
    default_code = "conflict"


class NotFound(ServiceError):
    status_code = status.HTTP_404_NOT_FOUND
    default_detail = "资源不存在"
    default_code = "not_found"


class ServiceUnavailable(ServiceError):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "服务暂时不可用，请稍后再试"
    default_code = "service_unavailable"


UNAVAILABLE_ERRORS = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    OperationalError,
    InterfaceError,
)


TOKEN_INVALID = "登录已失效，请重新登录"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _first_message(detail) -> str:
    """The first human-readable message inside a DRF error detail (str, list or dict)."""
    if isinstance(detail, dict):
        if "detail" in detail:
            return _first_message(detail["detail"])
        for value in detail.values():
            message = _first_message(value)
            if message:
                return message
        return ""
    if isinstance(detail, (list, tuple)):
        return _first_message(detail[0]) if detail else ""
    return str(detail)


def _as_drf_exception(exc):
    """Django errors DRF does not know, turned into the DRF exception that says what they mean."""
    if isinstance(exc, (RequestDataTooBig, TooManyFieldsSent)):
        error = exceptions.APIException(default_message(413))
        error.status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
        return error
    if isinstance(exc, InvalidToken):
        # simplejwt's zh_Hans catalogue leaves "Token is invalid" / "Token is expired" untranslated
        return InvalidToken(TOKEN_INVALID)
    if isinstance(exc, Http404):
        # get_object_or_404 says "No Course matches the given query." in English, whatever the language
        return exceptions.NotFound(default_message(404))
    if isinstance(exc, SuspiciousOperation):
        return exceptions.ParseError(default_message(400))
    if isinstance(exc, exceptions.ParseError):
        # DRF's text quotes the parser's exception; the client gets a plain sentence instead
        return exceptions.ParseError("请求数据格式错误，无法解析")
    if isinstance(exc, UNAVAILABLE_ERRORS):
        logger.warning("backing service unavailable: %s", exc.__class__.__name__, exc_info=exc)
        return ServiceUnavailable()
    return exc


def exception_handler(exc, context):
    exc = _as_drf_exception(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        view = context.get("view")
        logger.error("unhandled error in %s", view.__class__.__name__ if view else "?", exc_info=exc)
        set_rollback()
        return APIResponse(None, default_message(500), status=500)

    detail = response.data
    message = _first_message(detail)
    if not CJK.search(message):  # a library's message its Chinese catalogue lacks: say ours
        message = default_message(response.status_code)
    data = detail if isinstance(detail, dict) and "detail" not in detail else None
    if isinstance(detail, list) and len(detail) > 1:
        data = detail
    if isinstance(exc, ServiceError) and exc.data is not None:
        data = exc.data
    response.data = {"code": response.status_code, "message": message, "data": data}
    return response
