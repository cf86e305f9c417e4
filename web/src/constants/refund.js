/** Refund requests (申请退款, SPEC §9.3): the states GET /order/<id>/refund/ answers and when a paid
 * order may still ask for one. */
import { ORDER_STATUS } from "./order";
import { parseTime } from "../utils/time";

export const REFUND_STATUS = Object.freeze({
  PENDING: 0, // 待审核
  REFUNDING: 1, // 退款中
  REFUNDED: 2, // 已退款
  REJECTED: 3, // 已拒绝
  FAILED: 4, // 退款失败
});

export const REFUND_STATUS_LABELS = Object.freeze({
  [REFUND_STATUS.PENDING]: "退款待审核",
  [REFUND_STATUS.REFUNDING]: "退款中",
  [REFUND_STATUS.REFUNDED]: "已退款",
  [REFUND_STATUS.REJECTED]: "退款已拒绝",
  [REFUND_STATUS.FAILED]: "退款失败",
});

/** The server's REFUND_WINDOW_DAYS default: the button hides after it (the server decides anyway). */
export const REFUND_WINDOW_DAYS = 7;
export const REFUND_REASON_MAX = 255;

/** An open request (待审核 / 退款中) blocks a second one; a rejected one may be followed by another. */
export const isOpenRefund = (refund) =>
  Boolean(refund) && (refund.status === REFUND_STATUS.PENDING || refund.status === REFUND_STATUS.REFUNDING);

/** Whether the card offers 申请退款: paid, within the window of its pay time, no open request. */
export function canRequestRefund(order, refund, now = Date.now(), windowDays = REFUND_WINDOW_DAYS) {
  if (order?.order_status !== ORDER_STATUS.PAID) return false;
  if (isOpenRefund(refund) || refund?.status === REFUND_STATUS.REFUNDED) return false;
  const paid = parseTime(order.pay_time);
  if (Number.isNaN(paid)) return false;
  return now <= paid + windowDays * 24 * 3600 * 1000;
}

/** What the card says about the request: its label, and the reason staff gave for a rejection. */
export function refundText(refund) {
  if (!refund) return "";
  const label = REFUND_STATUS_LABELS[refund.status] ?? refund.get_status_display ?? "";
  if (refund.status === REFUND_STATUS.REJECTED && refund.reject_reason) return `${label}：${refund.reject_reason}`;
  return label;
}
