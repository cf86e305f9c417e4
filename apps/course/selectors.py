"""Reads of the catalogue that several apps need (cart, coupons, orders)."""

from django.db.models import Avg, Count, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce

from apps.course.exceptions import CourseNotFound
from apps.course.models import Course, CourseActivityPrice, CourseReview


def course_queryset():
    """Published courses with what `Course.discount` needs, prefetched (no query per course)."""
    return (
        Course.objects.published()
        .select_related("direction", "category")
        .prefetch_related(
            Prefetch(
                "activity_prices",
                queryset=CourseActivityPrice.objects.live().select_related("activity", "discount_type"),
                to_attr="prefetched_live_prices",
            )
        )
    )


def published_courses(course_ids) -> dict[int, Course]:
    """The published courses among `course_ids`, by id; unknown or hidden ids are left out."""
    return {course.id: course for course in course_queryset().filter(pk__in=list(course_ids))}


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
    """Which of `course_ids` are published courses: one indexed lookup, for callers that need no
    prices (adding to the cart), instead of building the courses with their live prices."""
    return set(Course.objects.published().filter(pk__in=list(course_ids)).values_list("pk", flat=True))
