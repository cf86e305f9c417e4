from django.apps import AppConfig


class UserCenterConfig(AppConfig):
    """The user center's reads that span apps (我的课程, 我的消费记录): the top layer, above
    payments, so it may ask every app's selectors and none has to import upward. No tables."""

    name = "apps.usercenter"
    label = "usercenter"
    verbose_name = "用户中心"
