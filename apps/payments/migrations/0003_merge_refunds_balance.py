# Joins the two 0002 migrations of payments (refunds and balance top-ups, built side by side).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0002_refund"),
        ("payments", "0002_recharge_paylink_mismatch"),
    ]

    operations = []
