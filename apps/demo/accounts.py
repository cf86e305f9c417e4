"""Demo accounts: the admin and the demo customer the README names."""

from apps.users.models import Credit, User
from apps.users.services import give_credit

ADMIN = ("admin", "admin123456")
DEMO = ("demo", "demo123456")
DEMO_CREDIT = 1000


def seed_accounts(stdout=None) -> User:
    """Create the accounts once; a re-seed leaves passwords and balances as they are now."""
    if not User.objects.filter(username=ADMIN[0]).exists():
        User.objects.create_superuser(
            username=ADMIN[0], password=ADMIN[1], email="admin@example.com", nickname="管理员"
        )
    demo = User.objects.filter(username=DEMO[0]).first()
    if demo is None:
        demo = User.objects.create_user(
            username=DEMO[0],
            password=DEMO[1],
            mobile="13800138000",
            email="demo@example.com",
            nickname="墨落",
            gender=User.Gender.MALE,
            position="CG影视动画师",
        )
        give_credit(user_id=demo.pk, amount=DEMO_CREDIT, remark="新用户赠送", operation=Credit.Operation.EARN)
        demo.refresh_from_db(fields=["credit"])
    if stdout:
        stdout.write(f"accounts: {ADMIN[0]} / {ADMIN[1]} (admin), {DEMO[0]} / {DEMO[1]} ({demo.credit} credit)")
    return demo
