/** How coupons read on the page: labels and the figures of a coupon card. What a coupon takes off
 * an order is the server's to say (/coupon/enable/ `amount`, `real_price`; see utils/checkout.js). */
import { toCents } from "./money";

/** "满300减50" / "满100打8折" style label. */
export function couponLabel(coupon) {
  const sale = String(coupon.sale || "");
  const condition = toCents(coupon.condition) > 0 ? `满${Number(coupon.condition)}` : "无门槛";
  if (sale.startsWith("*")) return `${condition}打${Math.round(Number(sale.slice(1)) * 100) / 10}折`;
  if (sale.startsWith("-")) return `${condition}减${Number(sale.slice(1))}`;
  return coupon.get_discount_display || "";
}

/** The three tabs of 我的优惠券 (the `status` of /coupon/mine/). */
export const COUPON_TABS = Object.freeze([
  { value: "usable", label: "可用" },
  { value: "used", label: "已使用" },
  { value: "expired", label: "已过期" },
]);

/** The big figure of a coupon card: "¥20" for 减免 (sale "-20"), "8折" for 折扣 (sale "*0.8"). */
export function couponValue(coupon) {
  const sale = String(coupon?.sale || "").trim();
  if (sale.startsWith("-")) return `¥${Number(sale.slice(1))}`;
  if (sale.startsWith("*")) return `${Math.round(Number(sale.slice(1)) * 100) / 10}折`;
  return sale || "优惠";
}

/** "满100可用" / "无门槛". */
export function conditionText(coupon) {
  return toCents(coupon?.condition) > 0 ? `满${Number(coupon.condition)}可用` : "无门槛";
}

/** The courses, categories or directions a coupon applies to (`[]` = every course). */
export function scopeText(scope) {
  return Array.isArray(scope) && scope.length ? scope.join("、") : "通用（全部课程）";
}
