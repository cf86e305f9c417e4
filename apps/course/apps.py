from django.apps import AppConfig


class CourseConfig(AppConfig):
    name = "apps.course"
    label = "course"
    verbose_name = "课程"
