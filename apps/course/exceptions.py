from rest_framework import status

from extension.exceptions import NotFound, ServiceError


class CourseNotFound(NotFound):
    default_detail = "课程不存在或已下架"
    default_code = "course_not_found"


class NotCourseOwner(ServiceError):
    """403, not 404: the course page is public, so its existence is no secret to hide; the answer
    tells the customer what to do (buy it first)."""

    status_code = status.HTTP_403_FORBIDDEN
    default_detail = "购买该课程后才能评价"
    default_code = "not_course_owner"
