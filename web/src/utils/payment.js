/** Paying an order, the pure part: how often the client asks, and what an answer of
 * /payments/alipay/query/<number>/ means. The side effects (the cashier window, the timers) are
 * composables/usePayment.js. */
import { ORDER_STATUS } from "../constants/order";
import { RECHARGE_STATUS } from "./recharge";

export const POLL_INTERVAL_MS = 5000;
export const POLL_MAX_TIMES = 180;

/** "paid", "closed" (cancelled, timed out or refunded meanwhile) or "waiting" (still unpaid, or no
 * answer) for one answer of the payment query. */
export function paymentOutcome(data) {
  if (!data || data.order_status === undefined || data.order_status === null) return "waiting";
  if (data.order_status === ORDER_STATUS.PAID) return "paid";
  if (data.order_status === ORDER_STATUS.UNPAID) return "waiting";
  return "closed";
}

/** The link offered when the browser blocked the cashier's pop-up. */
export const payLinkHtml = (link) => `<a href="${encodeURI(link)}" target="_blank" rel="noopener">打开支付页面</a>`;

/** What the Alipay return page was handed back for: a top-up (its `recharge_number`) or an order. */
export const payResultKind = (result) => (result && "recharge_number" in result ? "recharge" : "order");

/** Whether the return page's answer says paid: a top-up credited, an order paid (an answer
 * without `order_status` says so by its `pay_time`). */
export function payResultPaid(result) {
  if (!result) return false;
  if (payResultKind(result) === "recharge") return Number(result.status) === RECHARGE_STATUS.PAID;
  return result.order_status === undefined ? Boolean(result.pay_time) : result.order_status === ORDER_STATUS.PAID;
}
