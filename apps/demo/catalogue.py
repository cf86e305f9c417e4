"""Demo catalogue: the courses of the tutorial chapter, with generated covers and one live activity."""

import io
from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw

from apps.course.models import Activity, Course, CourseActivityPrice, CourseCategory, CourseDirection, DiscountType

CATALOGUE = {
    "前端开发": {
        "TypeScript": [("晋级TypeScript高手，成为抢手的前端开发人才", "399.00", 100)],
        "Vue.js": [("Vue3开发企业级音乐Web App 明星讲师带你学习大厂高质量代码", "448.00", 120)],
        "CSS": [("2021必修 CSS架构系统精讲 理论+实战玩转蘑菇街", "288.00", 80)],
    },
    "后端开发": {
        "Java": [("Spring Cloud / Alibaba 微服务架构实战，从架构设计到开发实践，手把手实现", "428.00", 150)],
        "大数据": [("Hadoop 系统入门+核心精讲", "288.00", 60)],
        "云原生": [("Kubernetes 入门到进阶实战，系统性掌握 K8s 生产实践", "299.00", 90)],
        "Python": [("Django REST framework 实战：从零打造在线教育商城", "199.00", 50)],
    },
}
PALETTE = [
    (231, 76, 60),
    (52, 152, 219),
    (46, 204, 113),
    (155, 89, 182),
    (241, 196, 15),
    (26, 188, 156),
    (230, 126, 34),
]


def _cover_png(index: int) -> bytes:
    """A 16:9 cover in one of the palette's colours (no font needed)."""
    red, green, blue = PALETTE[index % len(PALETTE)]
    image = Image.new("RGB", (480, 270), (red, green, blue))
    draw = ImageDraw.Draw(image)
    for step in range(6):
        offset = 40 * step
        draw.ellipse((300 + offset // 2, -60 + offset, 560, 200 + offset), outline=(255, 255, 255), width=2)
    draw.rectangle((40, 200, 200, 214), fill=(255, 255, 255))
    draw.rectangle((40, 226, 140, 236), fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def seed_catalogue(stdout=None) -> list[Course]:
    courses = []
    index = 0
    for direction_order, (direction_name, categories) in enumerate(CATALOGUE.items(), start=1):
        direction, _ = CourseDirection.objects.get_or_create(name=direction_name, defaults={"orders": direction_order})
        for category_name, entries in categories.items():
            category, _ = CourseCategory.objects.get_or_create(name=category_name, direction=direction)
            for name, price, credit in entries:
                course, created = Course.objects.get_or_create(
                    name=name,
                    defaults={
                        "price": Decimal(price),
                        "credit": credit,
                        "direction": direction,
                        "category": category,
                        "students": 100 + 37 * index,
                        "lessons": 20 + index,
                        "description": f"{name}：系统讲解，配套实战项目。",
                    },
                )
                if created or not course.course_cover:
                    course.course_cover.save(f"demo-{index + 1}.png", ContentFile(_cover_png(index)), save=True)
                courses.append(course)
                index += 1

    now = timezone.now()
    discount_type, _ = DiscountType.objects.get_or_create(name="限时优惠")
    activity, created = Activity.objects.get_or_create(
        name="双11 限时特惠",
        defaults={"start_time": now - timedelta(days=1), "end_time": now + timedelta(days=30)},
    )
    if not created and activity.end_time <= now:  # keep the demo's activity live on every re-seed
        activity.start_time, activity.end_time = now - timedelta(days=1), now + timedelta(days=30)
        activity.save(update_fields=["start_time", "end_time"])
    CourseActivityPrice.objects.get_or_create(
        activity=activity, course=courses[0], defaults={"discount_type": discount_type, "sale": "-41"}
    )
    if stdout:
        stdout.write(f"catalogue: {len(courses)} courses, activity “{activity.name}” live")
    return courses
