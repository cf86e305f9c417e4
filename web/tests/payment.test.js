import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("../src/api/payment", () => ({ queryPayment: vi.fn(), getPayLink: vi.fn() }));

import { queryPayment } from "../src/api/payment";
import { pollPayment, POLL_INTERVAL_MS, POLL_MAX_TIMES } from "../src/utils/payment";

const NUMBER = "202601010000000700000001";

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
