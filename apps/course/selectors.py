"""Reads of the catalogue that several apps need (cart, coupons, orders)."""

from django.db.models import Prefetch

from apps.course.models import Course, CourseActivityPrice


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
