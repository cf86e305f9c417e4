import { describe, expect, it } from "vitest";

import { checkoutFigures, creditToCents } from "../src/utils/checkout";

// /cart/order/ as the server answers it: 399.00 at 358.00 (activity) + 448.00
const checkout = { total_price: "847.00", real_price: "806.00", max_credit: 1000, credit_to_money: 10 };
// a /coupon/enable/ record: what it takes off, what is left with it, its credit bound
const coupon = { user_coupon_id: 7, amount: "89.60", real_price: "716.40", max_credit: 300 };

describe("the checkout's figures come from the server", () => {
  it("without a coupon: the checkout's totals and credit bound", () => {
    expect(checkoutFigures({ checkout, credit: 0, rate: 10 })).toEqual({
      activityCents: 4100,
      couponCents: 0,
      maxCredit: 1000,
      creditCents: 0,
      payCents: 80600,
    });
  });

  it("with a coupon: its amount, the real price left with it and its credit bound, never a sum of its own", () => {
    // the server's real_price is what is paid even where it is not total − amount (it decides)
    const figures = checkoutFigures({ checkout, coupon: { ...coupon, real_price: "700.00" }, credit: 0, rate: 10 });
    expect(figures).toMatchObject({ couponCents: 8960, maxCredit: 300, payCents: 70000 });
  });

  it("takes the credit typed in off what is left, never below 0.00", () => {
    expect(checkoutFigures({ checkout, coupon, credit: 250, rate: 10 })).toMatchObject({ creditCents: 2500, payCents: 69140 });
    const free = { ...coupon, real_price: "1.00", max_credit: 10 };
    expect(checkoutFigures({ checkout, coupon: free, credit: 50, rate: 10 }).payCents).toBe(0);
  });

  it("an empty checkout is all zero", () => {
    expect(checkoutFigures({ checkout: {}, credit: 0, rate: 10 })).toEqual({ activityCents: 0, couponCents: 0, maxCredit: 0, creditCents: 0, payCents: 0 });
  });
});

describe("credit in yuan", () => {
  it("rounds half up to the cent, as the server's to_money", () => {
    expect(creditToCents(100, 10)).toBe(1000);
    expect(creditToCents(1, 3)).toBe(33); // 0.333… → 0.33
    expect(creditToCents(2, 3)).toBe(67); // 0.666… → 0.67 (flooring said 0.66: a cent off the server)
    expect(creditToCents(1, 8)).toBe(13); // 0.125 → 0.13
    expect(creditToCents(7, 200)).toBe(4); // 0.035 → 0.04
  });

  it("is 0 for no credit or no rate", () => {
    expect(creditToCents(0, 10)).toBe(0);
    expect(creditToCents(50, 0)).toBe(0);
    expect(creditToCents(-5, 10)).toBe(0);
  });
});
