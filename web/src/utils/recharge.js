/** 余额充值's amount as the API takes it (SPEC §9.2): plain digits, at most two decimals, from
 * 1.00 to 50,000.00 yuan. Checked here first so a typo never costs a round trip; the server checks
 * again and its message is shown if it disagrees. */
import { formatCents, toCents } from "./money";

/** A top-up's `status` (payments.Recharge.Status). */
export const RECHARGE_STATUS = Object.freeze({ UNPAID: 0, PAID: 1 });

export const RECHARGE_MIN_CENTS = 100;
export const RECHARGE_MAX_CENTS = 5_000_000;
export const RECHARGE_PRESETS = Object.freeze(["50.00", "100.00", "200.00", "500.00"]);

/** The problem with `value` (a Chinese message, the API's wording), or "" when it is fine. */
export function checkRechargeAmount(value) {
  const text = String(value ?? "").trim();
  if (!text) return "请输入充值金额";
  if (!/^\d+(\.\d+)?$/.test(text)) return "充值金额必须是数字";
  if (/\.\d{3,}$/.test(text)) return "充值金额最多两位小数";
  const cents = toCents(text);
  if (cents < RECHARGE_MIN_CENTS) return "充值金额最少 1.00 元";
  if (cents > RECHARGE_MAX_CENTS) return "充值金额最多 50000.00 元";
  return "";
}

/** "100" → "100.00": what is sent once the amount checked out. */
export const normaliseAmount = (value) => formatCents(toCents(String(value).trim()));
