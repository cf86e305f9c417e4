"""Writes on the catalogue that carry business rules: reviews; and the news that the catalogue
changed, which every process's copy of the published courses listens to."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.course import redis_store
from apps.course.exceptions import NotCourseOwner
from apps.course.hooks import viewer_state
from apps.course.models import CourseReview
from apps.course.selectors import get_published_course_id
from extension.db import retry_on_deadlock


def catalogue_changed() -> None:
    """A course, price, activity, discount type, direction or category was written: drop every
    process's copy of the published courses (selectors.PublishedCourses) now, so that this
    transaction reads its own writes, and again once it commits, so that a copy read meanwhile
    from the data before the commit is dropped too. The models' signals call it (apps.py); code
    writing the catalogue without them (bulk_create, update) calls it itself."""
    redis_store.new_catalogue_version()
    transaction.on_commit(redis_store.new_catalogue_version, robust=True)


@retry_on_deadlock
def post_review(*, user_id: int, course_id: int, score: int, content: str) -> tuple[CourseReview, bool]:
    """The owner's review of a published course: created the first time, edited after (answers
    the review and whether it was created). One row per user and course whatever the races: the
    unique constraint lets one insert win and a loser edits the winner's row instead. Each write is
    one statement in its own transaction: an insert that failed on the duplicate key holds no lock
    while the edit waits, so racing first posts cannot deadlock (as SELECT … FOR UPDATE, then
    INSERT, then UPDATE in one transaction do on MariaDB). An edit keeps a hidden review hidden."""
    get_published_course_id(course_id)
    if not viewer_state(user_id=user_id, course_id=course_id)["owned"]:
        raise NotCourseOwner()
    mine = CourseReview.objects.filter(user_id=user_id, course_id=course_id)
    values = {"score": score, "content": content, "updated_time": timezone.now()}
    if mine.update(**values):
        return mine.get(), False
    try:
        with transaction.atomic():
            return CourseReview.objects.create(user_id=user_id, course_id=course_id, score=score, content=content), True
    except IntegrityError:
        if not mine.update(**values):  # not the duplicate review after all
            raise
        return mine.get(), False
