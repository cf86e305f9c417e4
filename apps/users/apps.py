from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "apps.users"
    label = "users"
    verbose_name = "用户"

    def ready(self):
        import extension.schema  # noqa: F401  registers the OpenAPI auth extension
