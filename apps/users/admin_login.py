"""django-axes, scoped to the Django admin's login (AXES_HANDLER, AXES_USERNAME_CALLABLE).

axes counts failures from Django's `user_login_failed` signal, which every `authenticate()`
sends — the API login's too. The API login has its own throttles (apps/users/throttles.py), so
this handler records only the admin site's logins, and AXES_ONLY_ADMIN_SITE makes axes lock only
the admin's. Staff are locked out per account and per IP (AXES_LOCKOUT_PARAMETERS)."""

from axes.handlers.database import AxesDatabaseHandler

from apps.users.throttles import login_account


class AdminLoginHandler(AxesDatabaseHandler):
    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if request is not None and self.is_admin_request(request):
            super().user_login_failed(sender, credentials, request, **kwargs)

    def user_logged_in(self, sender, request, user, **kwargs):
        if request is not None and self.is_admin_request(request):
            super().user_logged_in(sender, request, user, **kwargs)

    def user_logged_out(self, sender, request, user, **kwargs):
        if request is not None and self.is_admin_request(request):
            super().user_logged_out(sender, request, user, **kwargs)


def admin_login_account(request, credentials) -> str | None:
    """The account an admin login names (its username, mobile and e-mail count as one)."""
    name = (credentials or {}).get("username") or request.POST.get("username")
    return login_account(name)[:150] if name else None
