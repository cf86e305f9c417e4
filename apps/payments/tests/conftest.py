import pytest
import responses

from apps.payments.tests import fake_alipay
from apps.payments.tests.factories import OrderFactory


@pytest.fixture(scope="session")
def app_key():
    return fake_alipay.KeyPair()


@pytest.fixture(scope="session")
def alipay_key():
    return fake_alipay.KeyPair()


@pytest.fixture
def alipay_settings(settings, app_key, alipay_key):
    """Real-Alipay configuration (production gateway URL) with the test keys."""
    settings.ALIPAY_APP_ID = fake_alipay.APP_ID
    settings.ALIPAY_APP_PRIVATE_KEY = app_key.private_pem
    settings.ALIPAY_PUBLIC_KEY = alipay_key.public_pem
    settings.ALIPAY_DEBUG = False
    settings.ALIPAY_RETURN_URL = fake_alipay.RETURN_URL
    settings.ALIPAY_NOTIFY_URL = fake_alipay.NOTIFY_URL
    settings.ALIPAY_SANDBOX = True  # must be ignored: an app id is configured
    return settings


@pytest.fixture
def alipay(alipay_settings, app_key, alipay_key):
    """Alipay's HTTP gateway, faked; any other outgoing HTTP call fails the test."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield fake_alipay.FakeAlipayGateway(alipay_key, app_key, mock)


@pytest.fixture(scope="session")
def sandbox_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("alipay-sandbox")


@pytest.fixture
def sandbox_settings(settings, sandbox_dir):
    settings.ALIPAY_APP_ID = ""
    settings.ALIPAY_SANDBOX = True
    settings.ALIPAY_SANDBOX_DIR = sandbox_dir
    settings.ALIPAY_RETURN_URL = fake_alipay.RETURN_URL
    return settings


@pytest.fixture
def order(user):
    return OrderFactory(user=user)
