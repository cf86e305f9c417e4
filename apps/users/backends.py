from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q


class UsernameMobileEmailBackend(ModelBackend):
    """Log in with a username, a mobile number or an e-mail address, and the password."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        user_model = get_user_model()
        user = (
            user_model.objects.filter(Q(username=username) | Q(mobile=username) | Q(email__iexact=username))
            .order_by("id")
            .first()
        )
        if user is None:
            user_model().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
