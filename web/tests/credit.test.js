import { describe, expect, it } from "vitest";

import { creditBound } from "../src/utils/credit";

describe("the credit bound of the checkout", () => {
  it("without a coupon is the checkout's max_credit and the balance", () => {
    expect(creditBound({ checkoutMax: 150, hasCredit: 1000, rate: 10, leftCents: 1500 })).toBe(150);
    expect(creditBound({ checkoutMax: 150, hasCredit: 40, rate: 10, leftCents: 1500 })).toBe(40);
  });

  it("with a coupon never buys more than is left after it", () => {
    // 100.00 course (credit 50) and a coupon worth more: nothing left, no credit usable
    expect(creditBound({ checkoutMax: 50, hasCredit: 1000, coupon: { amount: "100.00" }, rate: 10, leftCents: 0 })).toBe(0);
    // 15.00 − 10.00 coupon: 5.00 left buys 50 credit
    expect(creditBound({ checkoutMax: 100, hasCredit: 1000, coupon: { amount: "10.00" }, rate: 10, leftCents: 500 })).toBe(50);
    expect(creditBound({ checkoutMax: 100, hasCredit: 1000, rate: 10, leftCents: 5 })).toBe(0); // 1 credit = 0.10
    expect(creditBound({ checkoutMax: 500, hasCredit: 1000, rate: 3, leftCents: 67 })).toBe(2);
  });

  it("takes the server's per-coupon bound when it is smaller", () => {
    expect(creditBound({ checkoutMax: 800, hasCredit: 1000, coupon: { max_credit: 0 }, rate: 10, leftCents: 8000 })).toBe(0);
    expect(creditBound({ checkoutMax: 800, hasCredit: 1000, coupon: { max_credit: 800 }, rate: 10, leftCents: 8000 })).toBe(800);
  });

  it("is never negative", () => {
    expect(creditBound({ checkoutMax: 100, hasCredit: 100, rate: 10, leftCents: -300 })).toBe(0);
    expect(creditBound({ checkoutMax: undefined, hasCredit: 100, rate: 10, leftCents: 100 })).toBe(0);
  });
});
