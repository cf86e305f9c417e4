/** The checkout's figures, all as the server computed them (SPEC §4): `/cart/order/` answers the
 * list and real totals and the credit bound without a coupon; `/coupon/enable/` answers, for each
 * coupon, the `amount` it takes off, the `real_price` left with it and its credit bound. The only
 * sum made here is the credit the customer is typing, turned into yuan as the server will. */
import { toCents } from "./money";

/** `credit / CREDIT_TO_MONEY` yuan in cents, rounded half up to the cent as the server rounds
 * (extension/money.to_money). `credit * 100 / rate` of whole numbers is never a float away
 * from its half, so Math.round is exact here. */
export function creditToCents(credit, rate) {
  const perYuan = Number(rate) || 0;
  const amount = Math.max(0, Number(credit) || 0);
  return perYuan > 0 ? Math.round((amount * 100) / perYuan) : 0;
}

/**
 * `{activityCents, couponCents, maxCredit, creditCents, payCents}` for the checkout data, the chosen
 * coupon (a /coupon/enable/ record, or null) and the credit typed in.
 */
export function checkoutFigures({ checkout = {}, coupon = null, credit = 0, rate }) {
  const realCents = toCents(checkout.real_price);
  const beforeCredit = coupon ? toCents(coupon.real_price) : realCents;
  const creditCents = creditToCents(credit, rate);
  return {
    activityCents: Math.max(0, toCents(checkout.total_price) - realCents),
    couponCents: coupon ? toCents(coupon.amount) : 0,
    maxCredit: Math.max(0, Number(coupon ? coupon.max_credit : checkout.max_credit) || 0),
    creditCents,
    payCents: Math.max(0, beforeCredit - creditCents),
  };
}
