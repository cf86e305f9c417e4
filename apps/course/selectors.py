"""Reads of the catalogue that several apps need (cart, coupons, orders)."""

import copy
import logging
import threading
import time

from django.db.models import Avg, Count, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from redis.exceptions import RedisError

from apps.course import redis_store
from apps.course.exceptions import CourseNotFound
from apps.course.models import Course, CourseActivityPrice, CourseReview

logger = logging.getLogger("fsapi.course")


def _published_with(prices):
    """Published courses with `prices` (activity prices) prefetched as `Course.discount` reads them."""
    return (
        Course.objects.published()
        .select_related("direction", "category")
        .prefetch_related(
            Prefetch(
                "activity_prices",
                queryset=prices.select_related("activity", "discount_type"),
                to_attr="prefetched_live_prices",
            )
        )
    )


def course_queryset():
    """Published courses with what `Course.discount` needs, prefetched (no query per course)."""
    return _published_with(CourseActivityPrice.objects.live())


def _load_published(course_ids) -> dict[int, Course]:
    """From the database: the published courses among `course_ids` with every activity price
    not over yet (`Course.live_activity_prices` picks the live ones at each read)."""
    queryset = _published_with(CourseActivityPrice.objects.not_over())
    return {course.id: course for course in queryset.filter(pk__in=list(course_ids))}


class PublishedCourses:
    """This process's copy of the published courses it was asked for, by id (None: not
    published), kept while the catalogue token in Redis stays the same: adding to the cart,
    the cart, the checkout page and every order read their courses here, with one Redis GET
    instead of two queries. Every ORM write of the catalogue replaces the token at once and
    again after its commit (`services.catalogue_changed`, from signals), so no reader keeps a
    copy older than the last commit; MAX_AGE bounds what a write behind the ORM's back (raw SQL)
    could leave stale. Callers get copies: a cached course is never changed by a request."""

    MAX_AGE = 60  # seconds
    MAX_ENTRIES = 10_000  # ids asked for, published or not: a flood of unknown ids cannot grow it

    def __init__(self):
        self._lock = threading.Lock()
        self._version, self._since, self._courses = None, 0.0, {}

    def _current(self) -> dict | None:
        """The copies kept under the current token (emptied when it changed), None when Redis
        does not answer: then the caller reads the database."""
        try:
            version = redis_store.catalogue_version()
        except (RedisError, OSError):
            logger.warning("catalogue version unavailable, reading courses from the database", exc_info=True)
            return None
        with self._lock:
            stale = time.monotonic() - self._since > self.MAX_AGE or len(self._courses) > self.MAX_ENTRIES
            if version != self._version or stale:
                self._version, self._since, self._courses = version, time.monotonic(), {}
            return self._courses

    def get(self, course_ids) -> dict[int, Course]:
        wanted = set(course_ids)
        courses = self._current()
        if courses is None:
            return _load_published(wanted)
        missing = wanted - courses.keys()
        if missing:
            loaded = _load_published(missing)
            courses.update({course_id: loaded.get(course_id) for course_id in missing})
        return {course_id: copy.copy(courses[course_id]) for course_id in wanted if courses.get(course_id)}


PUBLISHED = PublishedCourses()


def published_courses(course_ids) -> dict[int, Course]:
    """The published courses among `course_ids`, by id, with their live prices; unknown or
    hidden ids are left out (from this process's copy, see `PublishedCourses`)."""
    return PUBLISHED.get(course_ids)


def visible_reviews():
    """Reviews customers see (and the average counts): not hidden by staff, not deleted."""
    return CourseReview.objects.filter(is_show=True, is_deleted=False)


def with_review_stats(queryset):
    """`review_count` and `review_score` (average of the visible reviews, None when there are none)
    on each course, as two correlated subqueries: no GROUP BY over the catalogue's joins and no
    query per course, and always consistent with what the review list shows."""
    per_course = visible_reviews().filter(course=OuterRef("pk")).order_by().values("course")
    return queryset.annotate(
        review_count=Coalesce(Subquery(per_course.annotate(n=Count("id")).values("n"), output_field=IntegerField()), 0),
        review_score=Subquery(per_course.annotate(a=Avg("score")).values("a")),
    )


def get_published_course_id(course_id: int) -> int:
    """`course_id` when that course is published, else CourseNotFound (404)."""
    if not Course.objects.published().filter(pk=course_id).exists():
        raise CourseNotFound()
    return course_id


def course_reviews(course_id: int):
    """A published course's visible reviews, newest first, with their authors (one query a page)."""
    get_published_course_id(course_id)
    return visible_reviews().filter(course_id=course_id).select_related("user").order_by("-id")


def published_course_ids(course_ids) -> set[int]:
    """Which of `course_ids` are published courses (adding to the cart)."""
    return set(PUBLISHED.get(course_ids))
