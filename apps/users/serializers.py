import re

from django.conf import settings
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer, TokenRefreshSerializer

from apps.users.models import Credit, MoneyLog, User
from apps.users.tokens import login_payload

MOBILE_PATTERN = re.compile(r"^1[3-9]\d{9}$")


class LoginSerializer(TokenObtainPairSerializer):
    """username (or mobile, or e-mail) + password → the plain login object of SPEC §1."""

    default_error_messages = {"no_active_account": "用户名或密码错误"}

    def validate(self, attrs):
        super().validate(attrs)  # authenticates, sets self.user, raises 401 on failure
        return login_payload(self.user)


class RefreshSerializer(TokenRefreshSerializer):
    """simplejwt's, but the refresh token of a deleted account (simplejwt's `objects.get` raises
    DoesNotExist) or one whose user id is no id is a 401, not a 500."""

    default_error_messages = {"no_active_account": "登录已失效，请重新登录"}

    def validate(self, attrs):
        try:
            return super().validate(attrs)
        except (User.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
            raise AuthenticationFailed(self.error_messages["no_active_account"], "no_active_account") from exc


class LoginPayloadSerializer(serializers.Serializer):
    """Shape of the login answer (documentation only)."""

    token = serializers.CharField()
    refresh = serializers.CharField()
    cart_total = serializers.IntegerField()
    user_id = serializers.IntegerField()
    username = serializers.CharField()
    nickname = serializers.CharField()
    avatar = serializers.CharField()
    credit = serializers.IntegerField()
    mobile = serializers.CharField(allow_null=True)


class RegisterSerializer(serializers.Serializer):
    mobile = serializers.CharField(max_length=11, error_messages={"max_length": "手机号格式不正确"})
    password = serializers.CharField(min_length=8, max_length=18, write_only=True, trim_whitespace=False)
    re_password = serializers.CharField(min_length=8, max_length=18, write_only=True, trim_whitespace=False)

    default_error_messages = {"password_mismatch": "两次输入的密码不一致"}

    def validate_mobile(self, value):
        if not MOBILE_PATTERN.match(value):
            raise serializers.ValidationError("手机号格式不正确")
        if User.objects.filter(mobile=value).exists() or User.objects.filter(username=value).exists():
            raise serializers.ValidationError("该手机号已注册")
        return value

    def validate(self, attrs):
        if attrs["password"] != attrs["re_password"]:
            raise serializers.ValidationError({"re_password": [self.error_messages["password_mismatch"]]})
        return attrs


class UserInfoSerializer(serializers.ModelSerializer):
    """The profile page: `username`, `mobile`, `credit` and `money` are read-only."""

    user_id = serializers.IntegerField(source="id", read_only=True)
    avatar = serializers.ImageField(required=False, allow_null=False, write_only=True)

    class Meta:
        model = User
        fields = [
            "user_id",
            "username",
            "mobile",
            "nickname",
            "avatar",
            "gender",
            "position",
            "city",
            "signature",
            "credit",
            "money",
        ]
        read_only_fields = ["username", "mobile", "credit", "money"]

    def validate_avatar(self, value):
        if value.size > settings.AVATAR_MAX_BYTES:
            raise serializers.ValidationError("头像图片不能超过 2MB")
        return value

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["avatar"] = instance.avatar_url
        return data


class CreditFilterSerializer(serializers.Serializer):
    """GET /user/credit/ query: `operation` 0 赠送, 1 消费, 2 退还; missing or empty means all."""

    operation = serializers.ChoiceField(
        choices=Credit.Operation.choices, required=False, allow_blank=True, help_text="0 赠送，1 消费，2 退还"
    )


class CreditLogSerializer(serializers.ModelSerializer):
    class Meta:
        model = Credit
        fields = ["id", "operation", "get_operation_display", "number", "remark", "created_time"]


class MoneyLogSerializer(serializers.ModelSerializer):
    class Meta:
        model = MoneyLog
        fields = ["id", "operation", "get_operation_display", "amount", "balance_after", "remark", "created_time"]
