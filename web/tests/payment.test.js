import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("../src/api/payment", () => ({ queryPayment: vi.fn(), getPayLink: vi.fn() }));
vi.mock("../src/utils/message", () => ({ alertHtml: vi.fn(() => Promise.resolve()) }));

import { createApp, defineComponent, h } from "vue";
import { getPayLink, queryPayment } from "../src/api/payment";
import { openPayLink, pollPayment, startPolling, usePayment } from "../src/composables/usePayment";
import { alertHtml } from "../src/utils/message";
import { payLinkHtml, paymentOutcome, payResultKind, payResultPaid, POLL_INTERVAL_MS, POLL_MAX_TIMES } from "../src/utils/payment";

const NUMBER = "202601010000000700000001";

/** Mount `component` in a detached element: `unmount()` runs its onBeforeUnmount hooks. */
function mount(component) {
  const app = createApp(component);
  app.mount(document.createElement("div"));
  return { unmount: () => app.unmount() };
}

describe("polling a payment", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    vi.useRealTimers();
    vi.clearAllMocks();
  });

  it("asks every 5 s and stops once the order is paid", async () => {
    queryPayment
      .mockResolvedValueOnce({ order_status: 0 })
      .mockResolvedValueOnce({ order_status: 1, pay_time: "2026-01-01T10:00:00+08:00" });
    const onPaid = vi.fn();
    pollPayment(NUMBER, { onPaid });
    await vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS - 1);
    expect(queryPayment).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    await vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS);
    expect(onPaid).toHaveBeenCalledWith({ order_status: 1, pay_time: "2026-01-01T10:00:00+08:00" });
    await vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS * 3);
    expect(queryPayment).toHaveBeenCalledTimes(2);
    expect(queryPayment).toHaveBeenCalledWith(NUMBER);
  });

  it("gives up after 180 queries", async () => {
    queryPayment.mockResolvedValue({ order_status: 0 });
    const onGiveUp = vi.fn();
    pollPayment(NUMBER, { onGiveUp });
    await vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS * (POLL_MAX_TIMES + 5));
    expect(queryPayment).toHaveBeenCalledTimes(180);
    expect(onGiveUp).toHaveBeenCalledTimes(1);
  });

  it("stops when the order was cancelled or timed out meanwhile", async () => {
    queryPayment.mockResolvedValue({ order_status: 3 });
    const onClosed = vi.fn();
    const onPaid = vi.fn();
    pollPayment(NUMBER, { onPaid, onClosed });
    await vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS * 3);
    expect(onClosed).toHaveBeenCalledTimes(1);
    expect(onPaid).not.toHaveBeenCalled();
    expect(queryPayment).toHaveBeenCalledTimes(1);
  });

  it("keeps trying after a failed query and can be stopped", async () => {
    queryPayment.mockRejectedValueOnce(new Error("503")).mockResolvedValue({ order_status: 0 });
    const stop = pollPayment(NUMBER, {});
    await vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS * 2);
    expect(queryPayment).toHaveBeenCalledTimes(2);
    stop();
    await vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS * 5);
    expect(queryPayment).toHaveBeenCalledTimes(2);
  });
});

describe("what a payment answer means (pure)", () => {
  it("reads the order status from the one constant", () => {
    expect(paymentOutcome({ order_status: 1 })).toBe("paid");
    expect(paymentOutcome({ order_status: 0 })).toBe("waiting");
    for (const status of [2, 3, 4]) expect(paymentOutcome({ order_status: status })).toBe("closed");
    expect(paymentOutcome(null)).toBe("waiting");
    expect(paymentOutcome({})).toBe("waiting");
  });

  it("tells a top-up's return from an order's and whether it is paid", () => {
    expect(payResultKind({ recharge_number: "R1", status: 1 })).toBe("recharge");
    expect(payResultKind({ order_status: 1 })).toBe("order");
    expect(payResultPaid({ recharge_number: "R1", status: 1 })).toBe(true);
    expect(payResultPaid({ recharge_number: "R1", status: 0 })).toBe(false);
    expect(payResultPaid({ order_status: 1, pay_time: "x" })).toBe(true);
    expect(payResultPaid({ order_status: 3, pay_time: null })).toBe(false);
    expect(payResultPaid({ pay_time: "2026-01-01T10:00:00+08:00" })).toBe(true);
    expect(payResultPaid(null)).toBe(false);
  });

  it("escapes the offered link", () => {
    expect(payLinkHtml("https://pay.example/?a=1 2")).toContain('href="https://pay.example/?a=1%202"');
  });
});

describe("startPolling", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    vi.useRealTimers();
    vi.clearAllMocks();
  });

  it("skips a tick while the previous one runs and stops when a tick says done", async () => {
    let release;
    const tick = vi.fn(() => new Promise((resolve) => (release = resolve)));
    startPolling(tick, { interval: 100, maxTimes: 10 });
    await vi.advanceTimersByTimeAsync(350);
    expect(tick).toHaveBeenCalledTimes(1); // still running: the next ticks are skipped
    release(true);
    await vi.advanceTimersByTimeAsync(500);
    expect(tick).toHaveBeenCalledTimes(1);
  });
});

describe("opening the cashier", () => {
  afterEach(() => vi.clearAllMocks());

  it("offers the link when the pop-up is blocked", async () => {
    const open = vi.spyOn(window, "open").mockReturnValue(null);
    await openPayLink("https://pay.example/x", "请在新窗口中完成充值");
    expect(open).toHaveBeenCalledWith("https://pay.example/x", "_blank");
    expect(alertHtml).toHaveBeenCalledWith(payLinkHtml("https://pay.example/x"), "请在新窗口中完成充值", "我已打开");
    open.mockRestore();
  });
});

describe("usePayment", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.spyOn(window, "open").mockReturnValue({});
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
    vi.clearAllMocks();
  });

  function withPayment() {
    let payment;
    const wrapper = mount(
      defineComponent({
        setup() {
          payment = usePayment();
          return () => h("div");
        },
      }),
    );
    return { payment, wrapper };
  }

  it("opens the cashier, polls while paying and stops once paid", async () => {
    getPayLink.mockResolvedValue({ link: "https://pay.example/1" });
    queryPayment.mockResolvedValueOnce({ order_status: 0 }).mockResolvedValueOnce({ order_status: 1, pay_time: "t" });
    const { payment, wrapper } = withPayment();
    const onPaid = vi.fn();
    expect(await payment.pay(NUMBER, { onPaid })).toBe(true);
    expect(window.open).toHaveBeenCalledWith("https://pay.example/1", "_blank");
    expect(payment.paying(NUMBER)).toBe(true);
    await vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS * 2);
    expect(onPaid).toHaveBeenCalledWith({ order_status: 1, pay_time: "t" });
    expect(payment.paying(NUMBER)).toBe(false);
    wrapper.unmount();
  });

  it("answers false and polls nothing when the pay link is refused", async () => {
    getPayLink.mockRejectedValue(Object.assign(new Error("订单已超时"), { status: 409 }));
    const { payment, wrapper } = withPayment();
    expect(await payment.pay(NUMBER)).toBe(false);
    expect(payment.paying(NUMBER)).toBe(false);
    await vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS * 3);
    expect(queryPayment).not.toHaveBeenCalled();
    wrapper.unmount();
  });

  it("stops every poll when the component unmounts", async () => {
    getPayLink.mockResolvedValue({ link: "https://pay.example/1" });
    queryPayment.mockResolvedValue({ order_status: 0 });
    const { payment, wrapper } = withPayment();
    await payment.pay(NUMBER);
    await payment.pay("202601010000000700000002");
    await vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS);
    expect(queryPayment).toHaveBeenCalledTimes(2);
    wrapper.unmount();
    await vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS * 5);
    expect(queryPayment).toHaveBeenCalledTimes(2);
  });

  it("paying again restarts the order's poll instead of adding a second one", async () => {
    getPayLink.mockResolvedValue({ link: "https://pay.example/1" });
    queryPayment.mockResolvedValue({ order_status: 0 });
    const { payment, wrapper } = withPayment();
    await payment.pay(NUMBER);
    await payment.pay(NUMBER);
    await vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS * 2);
    expect(queryPayment).toHaveBeenCalledTimes(2);
    payment.stop(NUMBER);
    expect(payment.paying(NUMBER)).toBe(false);
    wrapper.unmount();
  });
});
