"""The HTTP statuses the API answers with, and the message each one says when nothing more precise
is known (the handler uses it for DRF's generic errors and for Django's own 404/500)."""

from rest_framework import status

OK = status.HTTP_200_OK
CREATED = status.HTTP_201_CREATED
BAD_REQUEST = status.HTTP_400_BAD_REQUEST
UNAUTHORIZED = status.HTTP_401_UNAUTHORIZED
FORBIDDEN = status.HTTP_403_FORBIDDEN
NOT_FOUND = status.HTTP_404_NOT_FOUND
METHOD_NOT_ALLOWED = status.HTTP_405_METHOD_NOT_ALLOWED
CONFLICT = status.HTTP_409_CONFLICT
PAYLOAD_TOO_LARGE = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
UNSUPPORTED_MEDIA_TYPE = status.HTTP_415_UNSUPPORTED_MEDIA_TYPE
TOO_MANY_REQUESTS = status.HTTP_429_TOO_MANY_REQUESTS
SERVER_ERROR = status.HTTP_500_INTERNAL_SERVER_ERROR
SERVICE_UNAVAILABLE = status.HTTP_503_SERVICE_UNAVAILABLE

DEFAULT_MESSAGES = {
    BAD_REQUEST: "请求参数有误",
    UNAUTHORIZED: "请先登录",
    FORBIDDEN: "没有权限执行此操作",
    NOT_FOUND: "资源不存在",
    METHOD_NOT_ALLOWED: "不支持该请求方法",
    CONFLICT: "当前状态不允许此操作",
    PAYLOAD_TOO_LARGE: "请求数据过大",
    UNSUPPORTED_MEDIA_TYPE: "不支持的数据格式",
    TOO_MANY_REQUESTS: "请求过于频繁，请稍后再试",
    SERVER_ERROR: "服务器内部错误，请稍后再试",
    SERVICE_UNAVAILABLE: "服务暂时不可用，请稍后再试",
}


def default_message(code: int) -> str:
    return DEFAULT_MESSAGES.get(code, "请求失败")
