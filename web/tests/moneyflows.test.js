import { describe, expect, it } from "vitest";

import { ORDER_STATUS } from "../src/constants/order";
import { canRequestRefund, isOpenRefund, REFUND_STATUS, refundText } from "../src/constants/refund";
import { checkRechargeAmount, normaliseAmount } from "../src/utils/recharge";

describe("checkRechargeAmount (the API's 1.00–50000.00, two decimals)", () => {
  it.each(["1", "1.00", "99.5", "200.00", "50000", "50000.00", " 88.80 "])("accepts %s", (value) => {
    expect(checkRechargeAmount(value)).toBe("");
  });
  it.each([
    ["", "请输入充值金额"],
    [null, "请输入充值金额"],
    ["abc", "充值金额必须是数字"],
    ["-5", "充值金额必须是数字"],
    ["1e3", "充值金额必须是数字"],
    ["１００", "充值金额必须是数字"],
    ["12.345", "充值金额最多两位小数"],
    ["0.99", "充值金额最少 1.00 元"],
    ["0", "充值金额最少 1.00 元"],
    ["50000.01", "充值金额最多 50000.00 元"],
    ["100000", "充值金额最多 50000.00 元"],
  ])("refuses %s: %s", (value, message) => {
    expect(checkRechargeAmount(value)).toBe(message);
  });
  it("sends two decimals", () => {
    expect(normaliseAmount("100")).toBe("100.00");
    expect(normaliseAmount(" 99.5 ")).toBe("99.50");
  });
});

describe("申请退款 on a card", () => {
  const now = Date.parse("2026-12-08T10:00:00+08:00");
  const paid = (payTime) => ({ order_status: ORDER_STATUS.PAID, pay_time: payTime });

  it("is offered for a paid order within 7 days of its pay time", () => {
    expect(canRequestRefund(paid("2026-12-01T10:00:00.123456+08:00"), null, now)).toBe(true);
    expect(canRequestRefund(paid("2026-12-01T09:59:59+08:00"), null, now)).toBe(false);
    expect(canRequestRefund(paid(null), null, now)).toBe(false);
  });
  it("is not offered for other statuses", () => {
    for (const status of [ORDER_STATUS.UNPAID, ORDER_STATUS.CANCELLED, ORDER_STATUS.TIMED_OUT, ORDER_STATUS.REFUNDED]) {
      expect(canRequestRefund({ order_status: status, pay_time: "2026-12-08T09:00:00+08:00" }, null, now)).toBe(false);
    }
  });
  it("waits while a request is open, comes back after a rejection or failure", () => {
    const order = paid("2026-12-08T09:00:00+08:00");
    expect(canRequestRefund(order, { status: REFUND_STATUS.PENDING }, now)).toBe(false);
    expect(canRequestRefund(order, { status: REFUND_STATUS.REFUNDING }, now)).toBe(false);
    expect(canRequestRefund(order, { status: REFUND_STATUS.REFUNDED }, now)).toBe(false);
    expect(canRequestRefund(order, { status: REFUND_STATUS.REJECTED }, now)).toBe(true);
    expect(isOpenRefund({ status: REFUND_STATUS.FAILED })).toBe(false);
  });
  it("says the state, with staff's reason for a rejection", () => {
    expect(refundText({ status: 0 })).toBe("退款待审核");
    expect(refundText({ status: 1 })).toBe("退款中");
    expect(refundText({ status: 2 })).toBe("已退款");
    expect(refundText({ status: 3, reject_reason: "课程已学完" })).toBe("退款已拒绝：课程已学完");
    expect(refundText({ status: 4 })).toBe("退款失败");
    expect(refundText(null)).toBe("");
  });
});
