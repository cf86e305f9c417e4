from django.core.management.base import BaseCommand
from django.db import transaction

from apps.course.demo import seed_catalogue
from apps.users.demo import seed_accounts


class Command(BaseCommand):
    help = "Create the demo data (accounts, catalogue, …). Safe to run again: nothing is duplicated."

    def handle(self, *args, **options):
        with transaction.atomic():
            demo_user = seed_accounts(self.stdout)
            courses = seed_catalogue(self.stdout)
        # later seeders (coupons, orders) take demo_user and courses
        del demo_user, courses
