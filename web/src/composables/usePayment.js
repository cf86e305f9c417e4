/**
 * Paying through Alipay's (or the local sandbox's) cashier: open it in a new window, then ask our
 * server every 5 s, at most 180 times, until the order is paid or leaves "unpaid" another way.
 * `usePayment()` keeps one poll per order number and stops them all when the component unmounts;
 * `openPayLink` and `startPolling` serve the balance top-up too.
 */
import { getCurrentInstance, onBeforeUnmount, reactive } from "vue";

import { getPayLink, queryPayment } from "../api/payment";
import { alertHtml } from "../utils/message";
import { payLinkHtml, paymentOutcome, POLL_INTERVAL_MS, POLL_MAX_TIMES } from "../utils/payment";

/** Open `link` in a new window; if the browser blocks the pop-up, offer the link to click. */
export async function openPayLink(link, title = "请在新窗口中完成支付") {
  const opened = window.open(link, "_blank");
  if (!opened) await alertHtml(payLinkHtml(link), title, "我已打开");
  return link;
}

/** Fetch the order's pay link and open it (rejects when the server refuses the link). */
export async function openCashier(orderNumber) {
  const { link } = await getPayLink(orderNumber);
  return openPayLink(link);
}

/**
 * Call `tick()` every `interval` ms until it resolves true (done) or `maxTimes` ticks ran
 * (`onGiveUp()` then). A tick is skipped while the previous one still runs; a tick that throws is
 * retried on the next. Returns `stop()`.
 */
export function startPolling(tick, { interval, maxTimes, onGiveUp } = {}) {
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
      if ((await tick()) && !stopped) stop();
    } catch {
      // asked again on the next tick
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

/**
 * Poll the payment state of one order: `onPaid(data)` once it is paid, `onClosed(data)` when it
 * was cancelled or timed out meanwhile, `onGiveUp()` after the last try. Returns `stop()`.
 */
export function pollPayment(orderNumber, { onPaid, onClosed, onGiveUp, interval = POLL_INTERVAL_MS, maxTimes = POLL_MAX_TIMES } = {}) {
  let stopped = false;
  const stopTimer = startPolling(
    async () => {
      const data = await queryPayment(orderNumber);
      if (stopped) return true;
      const outcome = paymentOutcome(data);
      if (outcome === "waiting") return false;
      stop();
      (outcome === "paid" ? onPaid : onClosed)?.(data);
      return true;
    },
    { interval, maxTimes, onGiveUp },
  );
  function stop() {
    stopped = true;
    stopTimer();
  }
  return stop;
}

/**
 * The payments a page is waiting for. `pay(number, callbacks)` opens the cashier and polls (false
 * when the cashier could not be opened: the http module said why); `paying(number)` is true while
 * its poll runs; every poll stops with the component.
 */
export function usePayment({ interval = POLL_INTERVAL_MS, maxTimes = POLL_MAX_TIMES } = {}) {
  const polls = reactive(new Map()); // order_number → stop() of its poll

  function stop(number) {
    polls.get(number)?.();
    polls.delete(number);
  }

  function stopAll() {
    for (const number of [...polls.keys()]) stop(number);
  }

  async function pay(number, { onPaid, onClosed, onGiveUp } = {}) {
    stop(number);
    try {
      await openCashier(number);
    } catch {
      return false;
    }
    const done = (callback) => (data) => {
      polls.delete(number);
      callback?.(data);
    };
    polls.set(number, pollPayment(number, { onPaid: done(onPaid), onClosed: done(onClosed), onGiveUp: done(onGiveUp), interval, maxTimes }));
    return true;
  }

  /** Open the cashier again for an order being polled (the customer closed the window). */
  const reopen = (number) => openCashier(number).catch(() => {});

  if (getCurrentInstance()) onBeforeUnmount(stopAll);

  return { pay, reopen, stop, stopAll, paying: (number) => polls.has(number) };
}
