import pytest

from apps.coupon.services import mirror_coupon_logs


@pytest.fixture
def mirrored():
    def mirror(*logs):
        mirror_coupon_logs([log.id for log in logs])

    return mirror
