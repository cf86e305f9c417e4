from django.db.models import Q

from apps.users.models import User, UserCourse


def owned_course_ids(*, user_id: int, course_ids=None) -> set[int]:
    """Ids of the courses the user owns (restricted to `course_ids` when given)."""
    queryset = UserCourse.objects.filter(user_id=user_id, is_deleted=False)
    if course_ids is not None:
        queryset = queryset.filter(course_id__in=list(course_ids))
    return set(queryset.values_list("course_id", flat=True))


def user_by_login_name(name: str):
    """The account a login name means: a username, a mobile number or an e-mail address (the
    oldest account when several match), or None. The login backend and the login throttles use
    this one lookup, so all three names of an account share its failure count."""
    return (
        User.objects.filter(Q(username=name) | Q(mobile=name) | Q(email__iexact=name)).order_by("id").first()
        if name
        else None
    )
