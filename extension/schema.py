"""drf-spectacular additions: the envelope every JSON answer wears, and the `jwt` auth header."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme

# answers that are not enveloped: simplejwt's plain objects and Alipay's plain-text notify reply
PLAIN_PATHS = ("/user/login/", "/user/token/refresh/", "/payments/alipay/notify")

ENVELOPE_ERROR = {
    "type": "object",
    "properties": {
        "code": {"type": "integer", "example": 400},
        "message": {"type": "string"},
        "data": {"nullable": True},
    },
    "required": ["code", "message", "data"],
}


# `extend_schema(extensions=NULLABLE_DATA)`: the 2xx answer's `data` may be null (e.g. "none yet")
NULLABLE_DATA = {"x-fsapi-nullable-data": True}


def _wrap(schema: dict, *, nullable: bool = False) -> dict:
    if nullable:  # OpenAPI 3.0 ignores keywords beside a $ref: wrap it
        schema = {"allOf": [schema], "nullable": True}
    return {
        "type": "object",
        "properties": {
            "code": {"type": "integer", "example": 200},
            "message": {"type": "string", "example": "ok"},
            "data": schema,
        },
        "required": ["code", "message", "data"],
    }


def wrap_in_envelope(result, generator, request, public):
    """Every 2xx JSON answer wrapped in the envelope (except the plain ones), and on every
    operation the enveloped errors it can answer: 4XX (validation, auth, throttling, 404, 405,
    413) and 5XX (a logged 500, or 503 when Redis or the database is down)."""
    result.setdefault("components", {}).setdefault("schemas", {})["ErrorEnvelope"] = ENVELOPE_ERROR
    error_ref = {"$ref": "#/components/schemas/ErrorEnvelope"}
    for path, operations in result.get("paths", {}).items():
        plain = path.startswith(PLAIN_PATHS)
        for operation in operations.values():
            nullable = bool(operation.pop(*NULLABLE_DATA, False))
            responses = operation.get("responses", {})
            for code, response in responses.items():
                content = response.get("content", {}).get("application/json")
                if code.startswith("2") and content is not None and not plain:
                    content["schema"] = _wrap(content.get("schema", {}), nullable=nullable)
            for codes in ("4XX", "5XX"):
                responses.setdefault(
                    codes, {"description": "error", "content": {"application/json": {"schema": error_ref}}}
                )
    return result


class JWTScheme(SimpleJWTScheme):
    """simplejwt accepts several header prefixes; OpenAPI's bearer scheme can name one only."""

    priority = 1
    match_subclasses = True  # apps.users.authentication.JWTAuthentication

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": '"jwt <access token>" (the Vue client\'s prefix; "JWT" and "Bearer" work too)',
        }
