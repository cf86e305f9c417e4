from django.core.management.base import BaseCommand
from django.db import transaction

from apps.coupon.demo import seed_coupons
from apps.course.demo import seed_catalogue
from apps.orders.demo import seed_orders
from apps.users.demo import seed_accounts


class Command(BaseCommand):
    help = "Create the demo data (accounts, catalogue, …). Safe to run again: nothing is duplicated."

    def handle(self, *args, **options):
        with transaction.atomic():
            demo_user = seed_accounts(self.stdout)
            courses = seed_catalogue(self.stdout)
            seed_coupons(demo_user, self.stdout)
            seed_orders(demo_user, courses, self.stdout)
