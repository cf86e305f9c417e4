from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from apps.users.selectors import user_by_login_name


class UsernameMobileEmailBackend(ModelBackend):
    """Log in with a username, a mobile number or an e-mail address, and the password.
    (django-axes' AxesStandaloneBackend runs before it and refuses locked-out admin logins.)"""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        user = user_by_login_name(username)
        if user is None:
            get_user_model()().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
