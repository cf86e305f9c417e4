import json
import logging

import pytest
import redis
from django.conf import settings
from django.db import transaction

from apps.payments import tasks
from apps.payments.services import remember_link, schedule_trade_close
from apps.payments.tasks import close_alipay_trade, close_retry_countdown

pytestmark = pytest.mark.django_db


def queued_tasks():
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    return [json.loads(message)["headers"] for message in broker.lrange("celery", 0, -1)]


def test_close_is_enqueued_only_after_the_transaction_commits(order, alipay, django_capture_on_commit_callbacks):
    remember_link(order.order_number)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            schedule_trade_close(order.order_number)
            assert queued_tasks() == []

    assert len(callbacks) == 1
    [headers] = queued_tasks()
    assert headers["task"] == "apps.payments.tasks.close_alipay_trade"
    assert order.order_number in headers["argsrepr"]


def test_close_is_not_enqueued_when_the_transaction_rolls_back(order, alipay, django_capture_on_commit_callbacks):
    remember_link(order.order_number)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            schedule_trade_close(order.order_number)
            raise RuntimeError("cancel failed")

    assert callbacks == []
    assert queued_tasks() == []


def test_broker_down_never_raises_into_the_caller(
    order, alipay, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    def broker_down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(close_alipay_trade, "delay", broker_down)
    remember_link(order.order_number)

    with caplog.at_level(logging.WARNING, logger="fsapi.payments"):
        with django_capture_on_commit_callbacks(execute=True):
            schedule_trade_close(order.order_number)

    assert "could not enqueue" in caplog.text


def test_no_close_is_enqueued_for_an_order_no_pay_link_went_out_for(order, alipay, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        schedule_trade_close(order.order_number)
    assert queued_tasks() == []


def test_a_pay_link_is_remembered_so_cancel_closes_its_trade(
    order, alipay, auth_client, django_capture_on_commit_callbacks
):
    client = auth_client
    assert client.get(f"/payments/alipay/{order.order_number}/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert client.put(f"/order/{order.id}/").status_code == 200
    [headers] = queued_tasks()
    assert headers["task"] == "apps.payments.tasks.close_alipay_trade"


def test_task_closes_the_trade_at_alipay(order, alipay):
    alipay.paid(order)  # Alipay knows the trade

    result = close_alipay_trade.apply(args=[order.order_number])

    assert result.successful()
    assert alipay.calls == [("alipay.trade.close", {"out_trade_no": order.order_number})]


def test_task_is_content_when_alipay_never_saw_the_trade(order, alipay):
    result = close_alipay_trade.apply(args=[order.order_number])

    assert result.successful()
    assert len(alipay.calls) == 1


def test_task_retries_a_bounded_number_of_times_and_never_raises(order, alipay, caplog):
    alipay.down = True

    with caplog.at_level(logging.ERROR, logger="fsapi.payments"):
        result = close_alipay_trade.apply(args=[order.order_number])

    assert result.successful()
    assert len(alipay.calls) == tasks.CLOSE_MAX_RETRIES + 1
    assert "gave up closing Alipay trade" in caplog.text


def test_task_gives_up_at_once_when_alipay_refuses(order, alipay_settings, caplog):
    import responses

    with responses.RequestsMock() as mock:
        mock.get("https://openapi.alipay.com/gateway.do", json={"error_response": {"code": "40002"}})
        with caplog.at_level(logging.WARNING, logger="fsapi.payments"):
            result = close_alipay_trade.apply(args=[order.order_number])
        assert len(mock.calls) == 1

    assert result.successful()
    assert "refused closing trade" in caplog.text


def test_retry_backoff_grows_and_is_capped():
    delays = [close_retry_countdown(n) for n in range(tasks.CLOSE_MAX_RETRIES + 4)]

    assert delays[:3] == [30, 60, 120]
    assert delays == sorted(delays) and max(delays) == 1800
