"""Writes on the catalogue that carry business rules: reviews."""

from django.db import transaction

from apps.course.exceptions import NotCourseOwner
from apps.course.hooks import viewer_state
from apps.course.models import CourseReview
from apps.course.selectors import get_published_course_id


def post_review(*, user_id: int, course_id: int, score: int, content: str) -> tuple[CourseReview, bool]:
    """The owner's review of a published course: created the first time, edited after (answers
    the review and whether it was created). One row per user and course whatever the races: the
    unique constraint refuses a second insert, and update_or_create then locks and updates the row
    the winner wrote. An edit keeps a hidden review hidden."""
    get_published_course_id(course_id)
    if not viewer_state(user_id=user_id, course_id=course_id)["owned"]:
        raise NotCourseOwner()
    with transaction.atomic():
        return CourseReview.objects.update_or_create(
            user_id=user_id, course_id=course_id, defaults={"score": score, "content": content}
        )
