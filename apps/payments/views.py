"""Alipay endpoints (SPEC §3): thin views over apps/payments/services.py."""

import logging

from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views import View
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError, UnsupportedMediaType
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny

from apps.orders.selectors import get_user_order
from apps.payments import recharges, refunds, services
from apps.payments.channel import get_gateway, sandbox_enabled
from apps.payments.exceptions import NotifyRefused
from apps.payments.gateway import GatewayUnavailable
from apps.payments.models import Recharge
from apps.payments.sandbox import SandboxRefused
from apps.payments.serializers import (
    AlipayNotifySerializer,
    OrderPayStateSerializer,
    PayLinkSerializer,
    PayResultSerializer,
    RechargeCreateSerializer,
    RechargeLinkSerializer,
    RechargeResultSerializer,
    RefundCreatedSerializer,
    RefundRequestSerializer,
    RefundStateSerializer,
)
from extension import metrics
from extension.response import APIResponse
from extension.schema import NULLABLE_DATA
from extension.viewsets import APIViewSet, OwnedObjectMixin

logger = logging.getLogger("fsapi.payments")
SANDBOX_UNAVAILABLE = "本地沙箱收银台暂时不可用（Redis 未连接），未发生任何扣款，请稍后再试"


class AlipayOrderViewSet(OwnedObjectMixin, APIViewSet):
    """The Alipay trade of the caller's own order, by its number."""

    owner_selector = staticmethod(get_user_order)

    @extend_schema(responses={200: PayLinkSerializer}, summary="支付宝支付链接（首次支付与再次支付）")
    @action(detail=True, methods=["get"])
    def pay_link(self, request, order_number):
        """GET /payments/alipay/<order_number>/ — the page-pay link of the caller's own unpaid order."""
        order = self.get_object()
        link = request.build_absolute_uri(services.page_pay_link(order))
        data = {"pay_type": order.pay_type, "get_pay_type_display": order.get_pay_type_display(), "link": link}
        return APIResponse(PayLinkSerializer(data).data)

    @extend_schema(responses={200: OrderPayStateSerializer}, summary="查询订单支付状态（未支付时向支付宝查询）")
    @action(detail=True, methods=["get"])
    def query(self, request, order_number):
        """GET /payments/alipay/query/<order_number>/ — polled every 5 s by the client."""
        order, message = services.query_and_sync(self.get_object())
        return APIResponse(OrderPayStateSerializer(order).data, message)


class AlipayReturnViewSet(APIViewSet):
    """Where Alipay sends the customer back after paying: no login, the signature is what counts."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("sign", str, description="and every other parameter Alipay's return carries")],
        responses={
            200: PolymorphicProxySerializer(
                component_name="AlipayResult",
                serializers=[PayResultSerializer, RechargeResultSerializer],
                resource_type_field_name=None,
            )
        },
        summary="支付宝同步返回：验签并返回订单或充值状态",
    )
    @action(detail=False, methods=["get"])
    def result(self, request):
        """GET /payments/alipay/result/?<Alipay's return parameters> — the order's state; never pays."""
        order = services.read_return(request.query_params)
        if isinstance(order, Recharge):  # a top-up's return: credited by its notify, never here
            paid = order.status == Recharge.Status.PAID
            message = "充值成功，余额已到账" if paid else "充值结果确认中，请稍后刷新"
            return APIResponse(RechargeResultSerializer(order).data, message)
        message = services.STATUS_MESSAGES[order.order_status]
        if order.order_status == order.Status.UNPAID:
            message = "支付结果确认中，请稍后刷新"
        return APIResponse(PayResultSerializer(order).data, message)


class AlipayNotifyViewSet(APIViewSet):
    """Alipay's asynchronous notify: no login, the signature is what counts; plain-text answers."""

    authentication_classes = []
    permission_classes = [AllowAny]
    parser_classes = [FormParser, MultiPartParser]

    @extend_schema(
        request={"application/x-www-form-urlencoded": AlipayNotifySerializer},
        responses={
            (200, "text/plain"): OpenApiResponse(OpenApiTypes.STR, description="success"),
            (400, "text/plain"): OpenApiResponse(OpenApiTypes.STR, description="fail: refused, nothing changed"),
            (503, "text/plain"): OpenApiResponse(OpenApiTypes.STR, description="fail: try again later"),
        },
        summary="支付宝异步通知",
    )
    @action(detail=False, methods=["post"])
    def notify(self, request):
        """POST /payments/alipay/notify/ (also without the final slash) — Alipay's asynchronous notify.

        Answers the plain text `success` once handled (replays and late payments included), `fail`
        with HTTP 400 when refused (nothing changed; a body too large to be Alipay's too) and `fail`
        with 503 when we could not handle it now (Alipay retries).
        """
        try:
            services.handle_notify(request.data)
        except (NotifyRefused, ParseError, UnsupportedMediaType, SuspiciousOperation) as exc:
            if not isinstance(exc, NotifyRefused):  # the service counted its own refusals
                metrics.NOTIFIES.labels("refused").inc()
            logger.warning("Alipay notify refused: %s", exc)
            return HttpResponse("fail", status=400, content_type="text/plain")
        except Exception:
            metrics.NOTIFIES.labels("unavailable").inc()
            logger.exception("Alipay notify could not be handled now")
            return HttpResponse("fail", status=503, content_type="text/plain")
        return HttpResponse("success", content_type="text/plain")


@extend_schema_view(notify=extend_schema(operation_id="payments_alipay_notify_without_slash"))
class AlipayNotifyWithoutSlashViewSet(AlipayNotifyViewSet):
    """POST /payments/alipay/notify — the same notify: Alipay does not follow redirects."""


class RechargeViewSet(APIViewSet):
    """Top-ups of the caller's balance."""

    @extend_schema(
        request=RechargeCreateSerializer,
        responses={201: RechargeLinkSerializer},
        summary="余额充值：创建充值单并返回支付宝支付链接",
    )
    def create(self, request):
        """POST /user/balance/recharge/ — a top-up of the caller's balance through Alipay page pay."""
        amount = self.validated(RechargeCreateSerializer, request.data)["amount"]
        recharge, link = recharges.create_recharge(user=request.user, amount=amount, gateway=services.gateway())
        data = {"recharge_number": recharge.recharge_number, "link": request.build_absolute_uri(link)}
        return APIResponse(RechargeLinkSerializer(data).data, "充值单已创建", status=201)


class OrderRefundViewSet(OwnedObjectMixin, APIViewSet):
    """The refund of the caller's own paid order."""

    owner_selector = staticmethod(get_user_order)
    owner_arguments = {"pk": "order_id"}

    @extend_schema(
        summary="申请退款（已支付订单，支付后若干天内）",
        request=RefundRequestSerializer,
        responses={201: RefundCreatedSerializer},
    )
    def create(self, request, pk):
        """POST /order/<id>/refund/ — ask for a refund of the caller's paid order."""
        order = self.get_object()  # someone else's: 404 before anything
        reason = self.validated(RefundRequestSerializer, request.data)["reason"]
        refund = refunds.request_refund(user=request.user, order=order, reason=reason)
        data = {"refund_id": refund.pk, "status": refund.status}
        return APIResponse(data, "退款申请已提交，请等待审核", status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="查询订单的退款申请状态（没有申请时 data 为 null）",
        responses={200: RefundStateSerializer},
        extensions=NULLABLE_DATA,
    )
    def retrieve(self, request, pk):
        """GET /order/<id>/refund/ — the state of the order's latest refund request (null: none)."""
        order = self.get_object()  # someone else's or none: 404
        refund = refunds.latest_refund(order=order)
        return APIResponse(RefundStateSerializer(refund).data if refund is not None else None)


class SandboxCashierView(View):
    """The local sandbox's cashier (HTML): shows the signed page-pay request; 支付 pays it.
    Answers 404 unless the sandbox is on (no ALIPAY_APP_ID, ALIPAY_SANDBOX)."""

    template_name = "payments/sandbox_cashier.html"

    def dispatch(self, request, *args, **kwargs):
        if not sandbox_enabled():
            raise Http404()
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        sandbox = get_gateway()
        try:
            biz = sandbox.read_request(request.GET)
            refusal = sandbox.trade_state(biz)
        except SandboxRefused as exc:
            return render(request, self.template_name, {"error": str(exc)}, status=400)
        except GatewayUnavailable:
            return self.unavailable(request)
        return render(request, self.template_name, {"trade": biz, "refusal": refusal})

    def post(self, request):
        sandbox = get_gateway()
        try:
            payment = sandbox.pay(request.GET)
            services.handle_notify(payment.notify)
            return HttpResponseRedirect(payment.return_url)
        except SandboxRefused as exc:
            return render(request, self.template_name, {"error": str(exc)}, status=exc.status)
        except NotifyRefused as exc:
            return render(request, self.template_name, {"error": str(exc.detail)}, status=400)
        except GatewayUnavailable:
            return self.unavailable(request)

    def unavailable(self, request):
        """Redis (where the sandbox remembers closed trades) is down: nothing is paid, try later."""
        logger.warning("sandbox cashier unavailable: Redis is unreachable")
        return render(request, self.template_name, {"error": SANDBOX_UNAVAILABLE}, status=503)
