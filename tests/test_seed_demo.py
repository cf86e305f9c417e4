import os
import subprocess
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from apps.coupon.models import Coupon, CouponLog
from apps.coupon.redis_store import read_all
from apps.course.models import Course
from apps.orders.models import Order
from apps.users.models import User

pytestmark = pytest.mark.django_db


def counts():
    return [model.objects.count() for model in (User, Course, Coupon, CouponLog, Order)]


def test_seed_demo_is_idempotent_and_gives_the_demo_user_data(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", allow_production=True)  # the test settings run with DEBUG off
    first = counts()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", "--allow-production")
    assert counts() == first

    demo = User.objects.get(username="demo")
    assert demo.check_password("demo123456") and demo.credit == 1000
    assert User.objects.get(username="admin").is_superuser
    assert sorted(Order.objects.filter(user=demo).values_list("order_status", flat=True)) == [0, 1, 2, 3]
    assert len(read_all(demo.id)) == 3  # the ended coupon is not offered
    assert Course.objects.filter(activity_prices__isnull=False).exists()


# --- development defaults (issue 11 item 12) ----------------------------------------------------


def test_seed_demo_refuses_with_debug_off_unless_told(settings, monkeypatch):
    """It creates the superuser admin / admin123456: never by accident on a production system."""
    settings.DEBUG = False
    monkeypatch.delenv("SEED_DEMO_ALLOW_PRODUCTION", raising=False)
    with pytest.raises(CommandError) as refused:
        call_command("seed_demo")
    assert "--allow-production" in str(refused.value) and "SEED_DEMO_ALLOW_PRODUCTION" in str(refused.value)
    assert counts() == [0, 0, 0, 0, 0]


def test_seed_demo_with_debug_off_runs_when_the_environment_allows_it(settings, monkeypatch):
    settings.DEBUG = False
    monkeypatch.setenv("SEED_DEMO_ALLOW_PRODUCTION", "1")
    call_command("seed_demo")
    assert User.objects.filter(username="admin").exists()


def test_seed_demo_runs_without_a_flag_in_development(settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.delenv("SEED_DEMO_ALLOW_PRODUCTION", raising=False)
    call_command("seed_demo")
    assert User.objects.filter(username="demo").exists()


def procfile_web_address(**env) -> str:
    """The address `Procfile.dev`'s web line binds to, as honcho's shell expands it."""
    line = next(
        row for row in (Path(__file__).parents[1] / "Procfile.dev").read_text().splitlines() if row.startswith("web:")
    )
    command = line.removeprefix("web:").strip().replace("python manage.py runserver", "echo", 1)
    clean = {key: value for key, value in os.environ.items() if key not in ("FSAPI_HOST", "FSAPI_PORT")}
    return subprocess.run(["sh", "-c", command], env={**clean, **env}, capture_output=True, text=True).stdout.strip()


@pytest.mark.django_db(databases=[])
def test_the_development_server_binds_loopback_unless_asked():
    assert procfile_web_address(FSAPI_PORT="8000") == "127.0.0.1:8000"
    assert procfile_web_address(FSAPI_PORT="8001", FSAPI_HOST="0.0.0.0") == "0.0.0.0:8001"
