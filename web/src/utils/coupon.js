/** What a coupon would take off this checkout, as the server computes it (SPEC §4): 减免 takes a
 * fixed amount, 折扣 takes (1 - rate) × price of the most expensive applicable course without an
 * activity price. The server decides (and /coupon/enable/ answers each coupon's `amount`); the
 * local computation is the fallback preview. */
import { toCents } from "./money";

export const DISCOUNT_SUBTRACT = 1; // 减免, sale like "-50"
export const DISCOUNT_RATE = 2; // 折扣, sale like "*0.8"

function applicableLines(coupon, lines) {
  const plain = lines.filter((line) => toCents(line.real_price ?? line.price) >= toCents(line.price) && !line.discount?.price);
  if (coupon.enable_course === "__all__" || coupon.enable_course === undefined) return plain;
  const ids = new Set((Array.isArray(coupon.enable_course) ? coupon.enable_course : []).map(Number));
  return plain.filter((line) => ids.has(Number(line.id ?? line.course_id)));
}

/** `{usable, cents, reason}` for one coupon against the checkout lines and their real total. */
export function couponPreview(coupon, lines, realTotalCents) {
  if (coupon.amount !== undefined && coupon.amount !== null) {
    // /coupon/enable/ lists only coupons usable on this checkout, with what each takes off
    return { usable: true, cents: Math.min(toCents(coupon.amount), realTotalCents), reason: "" };
  }
  const eligible = applicableLines(coupon, lines);
  if (!eligible.length) return { usable: false, cents: 0, reason: "没有适用的课程" };
  const condition = toCents(coupon.condition);
  if (condition > 0 && realTotalCents < condition) {
    return { usable: false, cents: 0, reason: `满 ¥${coupon.condition} 可用` };
  }
  const sale = String(coupon.sale || "").trim();
  const kind = Number(coupon.discount);
  if (kind === DISCOUNT_SUBTRACT || sale.startsWith("-")) {
    return { usable: true, cents: Math.min(toCents(sale.replace(/^-/, "")), realTotalCents), reason: "" };
  }
  if (kind === DISCOUNT_RATE || sale.startsWith("*")) {
    const rate = Number(sale.replace(/^\*/, ""));
    if (!(rate > 0 && rate < 1)) return { usable: false, cents: 0, reason: "优惠方式无效" };
    const top = Math.max(...eligible.map((line) => toCents(line.price)));
    return { usable: true, cents: Math.round(top * (1 - rate)), reason: "" };
  }
  return { usable: false, cents: 0, reason: "优惠方式无效" };
}

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
