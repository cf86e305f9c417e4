from django.core.management.base import BaseCommand

from apps.coupon.services import sync_coupons


class Command(BaseCommand):
    help = "Rebuild every user's coupons in Redis from the database (after Redis lost its data)."

    def handle(self, *args, **options):
        result = sync_coupons()
        self.stdout.write(
            f"coupons in Redis: {result['written']} written, {result['removed']} stale removed, "
            f"{result['expired']} records marked expired"
        )
