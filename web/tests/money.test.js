import { describe, expect, it } from "vitest";

import { couponLabel, couponPreview } from "../src/utils/coupon";
import { formatCents, sumCents, toCents } from "../src/utils/money";
import { displayTime, formatCountdown, parseTime } from "../src/utils/time";

describe("money in cents", () => {
  it("adds prices without float errors", () => {
    expect(formatCents(sumCents(["0.10", "0.20"]))).toBe("0.30");
    expect(formatCents(toCents("399.00") - toCents("358.00"))).toBe("41.00");
    expect(toCents("-20")).toBe(-2000);
    expect(toCents("12.5")).toBe(1250);
    expect(toCents(null)).toBe(0);
  });
});

describe("times", () => {
  it("shows the server's local time readably", () => {
    expect(displayTime("2021-07-31T22:49:23.123456+08:00")).toBe("2021-07-31 22:49:23");
    expect(displayTime("2021-07-31T22:49:23+08:00")).toBe("2021-07-31 22:49:23");
  });

  it("parses microsecond times", () => {
    expect(parseTime("2021-07-31T22:49:23.123456+08:00")).toBe(Date.UTC(2021, 6, 31, 14, 49, 23, 123));
  });

  it("formats a countdown", () => {
    expect(formatCountdown(899)).toBe("14:59");
    expect(formatCountdown(3725)).toBe("1:02:05");
    expect(formatCountdown(-3)).toBe("00:00");
  });
});

describe("coupon preview", () => {
  const lines = [
    { id: 1, price: "399.00", real_price: "358.00", discount: { type: "限时优惠", price: "358.00" } },
    { id: 2, price: "448.00", real_price: "448.00", discount: {} },
    { id: 3, price: "288.00", real_price: "288.00", discount: {} },
  ];
  const total = sumCents(lines.map((line) => line.real_price));

  it("uses the amount the server computed", () => {
    expect(couponPreview({ sale: "-20", discount: "1", amount: "20.00" }, lines, total)).toEqual({ usable: true, cents: 2000, reason: "" });
  });

  it("takes a fixed amount off for 减免", () => {
    expect(couponPreview({ sale: "-50", discount: "1", condition: "100.00", enable_course: "__all__" }, lines, total).cents).toBe(5000);
  });

  it("discounts the most expensive applicable course without an activity price for 折扣", () => {
    expect(couponPreview({ sale: "*0.8", discount: "2", condition: "0", enable_course: [1, 3] }, lines, total).cents).toBe(5760);
  });

  it("refuses a coupon whose minimum spend is not met or that applies to nothing", () => {
    expect(couponPreview({ sale: "-50", discount: "1", condition: "5000.00", enable_course: "__all__" }, lines, total).usable).toBe(false);
    expect(couponPreview({ sale: "-50", discount: "1", condition: "0", enable_course: [1] }, lines, total).usable).toBe(false);
  });

  it("labels coupons the way the shop does", () => {
    expect(couponLabel({ sale: "-50", condition: "300.00" })).toBe("满300减50");
    expect(couponLabel({ sale: "*0.8", condition: "0" })).toBe("无门槛打8折");
  });
});
