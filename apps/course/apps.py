from django.apps import AppConfig


class CourseConfig(AppConfig):
    name = "apps.course"
    label = "course"
    verbose_name = "课程"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from apps.course import models
        from apps.course.services import catalogue_changed

        def changed(sender, **kwargs):
            catalogue_changed()

        # every model the published courses are read with (selectors.PublishedCourses)
        for model in (
            models.Course,
            models.CourseDirection,
            models.CourseCategory,
            models.Activity,
            models.DiscountType,
            models.CourseActivityPrice,
        ):
            post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"catalogue-{model.__name__}")
            post_delete.connect(changed, sender=model, weak=False, dispatch_uid=f"catalogue-delete-{model.__name__}")
