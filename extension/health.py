from django.db import connection
from django_redis import get_redis_connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.views import APIView

from extension.response import APIResponse

REDIS_ALIASES = ("default", "cart", "coupon")


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:  # any failure is the answer, not an error of this endpoint
        return f"error: {exc.__class__.__name__}"


def check_redis() -> str:
    try:
        for alias in REDIS_ALIASES:
            get_redis_connection(alias).ping()
        return "ok"
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"


class HealthView(APIView):
    """GET /healthz — 200 when the database and Redis answer, 503 naming what failed."""

    authentication_classes = []
    permission_classes = []

    @extend_schema(
        summary="健康检查（数据库与 Redis）",
        responses=inline_serializer("Health", {"database": serializers.CharField(), "redis": serializers.CharField()}),
    )
    def get(self, request):
        checks = {"database": check_database(), "redis": check_redis()}
        failed = [name for name, result in checks.items() if result != "ok"]
        if failed:
            return APIResponse(checks, f"不可用：{', '.join(failed)}", status=503)
        return APIResponse(checks)
