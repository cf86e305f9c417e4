from apps.users.models import UserCourse


def owned_course_ids(*, user_id: int, course_ids=None) -> set[int]:
    """Ids of the courses the user owns (restricted to `course_ids` when given)."""
    queryset = UserCourse.objects.filter(user_id=user_id, is_deleted=False)
    if course_ids is not None:
        queryset = queryset.filter(course_id__in=list(course_ids))
    return set(queryset.values_list("course_id", flat=True))
