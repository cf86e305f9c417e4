import { describe, expect, it } from "vitest";

import { couponLabel } from "../src/utils/coupon";
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

describe("coupon labels", () => {
  it("labels coupons the way the shop does", () => {
    expect(couponLabel({ sale: "-50", condition: "300.00" })).toBe("满300减50");
    expect(couponLabel({ sale: "*0.8", condition: "0" })).toBe("无门槛打8折");
  });
});
