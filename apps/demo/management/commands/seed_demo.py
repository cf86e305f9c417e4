import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.demo.accounts import ADMIN, seed_accounts
from apps.demo.catalogue import seed_catalogue
from apps.demo.coupons import seed_coupons
from apps.demo.orders import seed_orders

ALLOW_ENV = "SEED_DEMO_ALLOW_PRODUCTION"


class Command(BaseCommand):
    help = (
        "Create the demo data (accounts, catalogue, …). Safe to run again: nothing is duplicated. "
        f"Development only: with DEBUG off it refuses unless given --allow-production (or {ALLOW_ENV}=1)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help=f"run even with DEBUG off (CI and throw-away systems only: it creates the superuser "
            f"{ADMIN[0]} with a published password). The environment variable {ALLOW_ENV}=1 does the same.",
        )

    def handle(self, *args, **options):
        allowed = options["allow_production"] or os.environ.get(ALLOW_ENV, "").strip().lower() in ("1", "true", "yes")
        if not settings.DEBUG and not allowed:
            raise CommandError(
                f"seed_demo refused: DEBUG is off, and the demo data includes the superuser "
                f"{ADMIN[0]} / {ADMIN[1]}. It is for development. To seed a CI or throw-away system anyway, "
                f"pass --allow-production (or set {ALLOW_ENV}=1). For production: manage.py createsuperuser."
            )
        with transaction.atomic():
            demo_user = seed_accounts(self.stdout)
            courses = seed_catalogue(self.stdout)
            seed_coupons(demo_user, self.stdout)
            seed_orders(demo_user, courses, self.stdout)
