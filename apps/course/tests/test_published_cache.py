"""This process's copy of the published courses (apps.course.selectors.PublishedCourses): read
once, then served without a query, and dropped everywhere by any write of the catalogue, at once
and again after the write commits. Every price asserted is the one an order would charge."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from redis.exceptions import ConnectionError as RedisConnectionError

from apps.course import redis_store
from apps.course.models import Course
from apps.course.selectors import PublishedCourses, published_course_ids, published_courses
from apps.course.services import catalogue_changed
from apps.course.tests.factories import ActivityFactory, ActivityPriceFactory, CourseFactory

pytestmark = pytest.mark.django_db


def course_queries(run) -> int:
    with CaptureQueriesContext(connection) as queries:
        run()
    return sum("fs_course" in query["sql"] for query in queries.captured_queries)


def test_a_course_is_read_once_then_served_from_the_copy():
    course = CourseFactory(price=Decimal("120.00"))
    ActivityPriceFactory(course=course, sale="-20")
    assert course_queries(lambda: published_courses([course.id])) == 2  # the course, its prices
    assert course_queries(lambda: published_courses([course.id])) == 0
    assert course_queries(lambda: published_course_ids([course.id])) == 0
    assert published_courses([course.id])[course.id].real_price == Decimal("100.00")


def test_unknown_and_hidden_ids_are_remembered_as_not_published():
    hidden = CourseFactory(is_show=False)
    assert published_course_ids([hidden.id, 10**12]) == set()
    assert course_queries(lambda: published_course_ids([hidden.id, 10**12])) == 0


@pytest.mark.parametrize(
    "change",
    [
        lambda course, price: Course.objects.filter(pk=course.pk).update(price=80) and catalogue_changed(),
        lambda course, price: setattr(course, "price", Decimal("80.00")) or course.save(),
        lambda course, price: setattr(price, "sale", "-20") or price.save(),
        lambda course, price: price.delete(),
        lambda course, price: setattr(price.activity, "is_show", False) or price.activity.save(),
        lambda course, price: setattr(course, "is_show", False) or course.save(),
    ],
    ids=["update-then-announced", "course-saved", "price-saved", "price-deleted", "activity-hidden", "unpublished"],
)
def test_any_write_of_the_catalogue_is_seen_by_the_next_read_of_every_process(change):
    course = CourseFactory(price=Decimal("100.00"))
    price = ActivityPriceFactory(course=course, sale="*0.5")
    other_process = PublishedCourses()  # another worker's copy: it shares only the Redis token
    for copy in (published_courses, other_process.get):
        assert copy([course.id])[course.id].real_price == Decimal("50.00")

    change(course, price)

    fresh = Course.objects.filter(pk=course.pk, is_show=True).first()
    expected = {course.id: fresh.real_price} if fresh else {}
    for copy in (published_courses, other_process.get):
        assert {course_id: c.real_price for course_id, c in copy([course.id]).items()} == expected


def test_the_token_is_replaced_again_when_the_write_commits(django_capture_on_commit_callbacks):
    """A copy read between the write and its commit holds the old row: the commit's new token drops it."""
    course = CourseFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            course.price = Decimal("10.00")
            course.save()
            during = redis_store.catalogue_version()
    assert callbacks, "a write must replace the token after its commit too"
    for callback in callbacks:
        callback()
    assert redis_store.catalogue_version() != during


def test_an_activity_that_starts_later_goes_live_without_a_reload(monkeypatch):
    now = timezone.now()
    course = CourseFactory(price=Decimal("100.00"))
    later = ActivityFactory(start_time=now + timedelta(hours=1), end_time=now + timedelta(hours=2))
    ActivityPriceFactory(course=course, activity=later, sale="*0.9")
    assert published_courses([course.id])[course.id].real_price == Decimal("100.00")

    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(hours=1, minutes=1))
    assert course_queries(lambda: published_courses([course.id])) == 0
    assert published_courses([course.id])[course.id].real_price == Decimal("90.00")
    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(hours=3))  # and it ends
    assert published_courses([course.id])[course.id].real_price == Decimal("100.00")


def test_callers_get_copies_the_cache_never_sees_their_changes():
    course = CourseFactory(price=Decimal("100.00"))
    mine = published_courses([course.id])[course.id]
    mine.price = Decimal("1.00")
    assert published_courses([course.id])[course.id].price == Decimal("100.00")


def test_without_redis_courses_are_read_from_the_database(monkeypatch):
    course = CourseFactory(price=Decimal("100.00"))
    published_courses([course.id])

    def down():
        raise RedisConnectionError("no redis")

    monkeypatch.setattr(redis_store, "catalogue_version", down)
    Course.objects.filter(pk=course.pk).update(price=Decimal("70.00"))  # a write nobody announced
    assert course_queries(lambda: published_courses([course.id])) == 2
    assert published_courses([course.id])[course.id].price == Decimal("70.00")


def test_a_flushed_cache_starts_a_new_token_and_drops_the_copies():
    course = CourseFactory(price=Decimal("100.00"))
    published_courses([course.id])
    Course.objects.filter(pk=course.pk).update(price=Decimal("60.00"))  # behind the signals' back
    from django.core.cache import cache

    cache.clear()
    assert published_courses([course.id])[course.id].price == Decimal("60.00")


def test_copies_older_than_max_age_are_read_again(monkeypatch):
    course = CourseFactory(price=Decimal("100.00"))
    published_courses([course.id])
    Course.objects.filter(pk=course.pk).update(price=Decimal("55.00"))  # behind the signals' back
    monkeypatch.setattr(PublishedCourses, "MAX_AGE", -1)
    assert published_courses([course.id])[course.id].price == Decimal("55.00")
