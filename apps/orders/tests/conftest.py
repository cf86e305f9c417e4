import pytest

from apps.cart import redis_store
from apps.course.tests.factories import CourseFactory
from tests import builders


@pytest.fixture
def courses(db):
    """Two courses: 300.00 (100 credit usable) and 200.00 (50 credit usable)."""
    return [CourseFactory(price="300.00", credit=100), CourseFactory(price="200.00", credit=50)]


@pytest.fixture
def cart_with(user):
    """Put courses in the user's cart: cart_with(selected=[…], unselected=[…])."""

    def fill(selected=(), unselected=(), owner=None):
        owner = owner or user
        redis_store.add_lines(owner.id, [course.id for course in selected], selected=True)
        redis_store.add_lines(owner.id, [course.id for course in unselected], selected=False)

    return fill


@pytest.fixture
def unpaid_order(user, courses, django_capture_on_commit_callbacks):
    """unpaid_order(credit=…): an unpaid order of `user` for `courses` that used a coupon and
    that much credit, created by the service; answers (order, coupon record)."""

    def place(credit: int = 100):
        with django_capture_on_commit_callbacks(execute=True):
            placed = builders.unpaid_order(user, courses=courses, credit=credit)
        return placed.order, placed.log

    return place
