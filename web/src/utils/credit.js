/** The most credit the checkout may use with the chosen coupon (SPEC §4.4): credit never buys more
 * than is left to pay after the coupon. The server answers the bound (`/cart/order/` `max_credit`
 * without a coupon, `/coupon/enable/` `max_credit` per coupon) and refuses more; this is the same
 * rule on the client, so the input never offers what the server would refuse. */
export function creditBound({ checkoutMax, hasCredit, coupon = null, rate, leftCents }) {
  const perCredit = Number(rate) || 0;
  const byPrice = perCredit > 0 ? Math.floor((Math.max(0, Math.round(leftCents)) * perCredit) / 100) : 0;
  const bounds = [Number(checkoutMax) || 0, Number(hasCredit) || 0, byPrice];
  if (coupon && coupon.max_credit !== undefined && coupon.max_credit !== null) bounds.push(Number(coupon.max_credit) || 0);
  return Math.max(0, Math.min(...bounds));
}
