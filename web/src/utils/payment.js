/** Paying an order: open Alipay's (or the local sandbox's) cashier in a new window, then ask our
 * server every 5 s, at most 180 times, until the order is paid or leaves "unpaid" another way. */
import { alertHtml } from "./message";

import { getPayLink, queryPayment } from "../api/payment";

export const POLL_INTERVAL_MS = 5000;
export const POLL_MAX_TIMES = 180;
export const PAID = 1;

/** Fetch the pay link and open it; if the browser blocks the pop-up, offer the link to click. */
export async function openCashier(orderNumber) {
  const { link } = await getPayLink(orderNumber);
  const opened = window.open(link, "_blank");
  if (!opened) {
    await alertHtml(`<a href="${encodeURI(link)}" target="_blank" rel="noopener">打开支付页面</a>`, "请在新窗口中完成支付", "我已打开");
  }
  return link;
}

/**
 * Poll the payment state of one order. Calls `onPaid(data)` once when `order_status` is 1,
 * `onClosed(data)` when the order was cancelled or timed out meanwhile, `onGiveUp()` after the
 * last try. Returns `stop()`; a tick is skipped while the previous query is still running.
 */
export function pollPayment(orderNumber, { onPaid, onClosed, onGiveUp, interval = POLL_INTERVAL_MS, maxTimes = POLL_MAX_TIMES } = {}) {
  let times = 0;
  let busy = false;
  let stopped = false;
  const timer = setInterval(async () => {
    if (busy || stopped) return;
    if (times >= maxTimes) {
      stop();
      onGiveUp?.();
      return;
    }
    times += 1;
    busy = true;
    try {
      const data = await queryPayment(orderNumber);
      if (stopped) return;
      if (data?.order_status === PAID) {
        stop();
        onPaid?.(data);
      } else if (data && data.order_status !== 0) {
        stop();
        onClosed?.(data);
      }
    } catch {
      // a failed query is retried on the next tick
    } finally {
      busy = false;
    }
  }, interval);
  function stop() {
    stopped = true;
    clearInterval(timer);
  }
  return stop;
}
