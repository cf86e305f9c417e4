/** Prices arrive as strings with two decimals ("358.00"); add and subtract them in cents so no
 * float error shows up as ¥40.999999. */
export function toCents(value) {
  if (value === null || value === undefined || value === "") return 0;
  const text = String(value).trim();
  const match = /^(-)?(\d+)(?:\.(\d{1,2})\d*)?$/.exec(text);
  if (!match) return Math.round(Number(text) * 100) || 0;
  const cents = Number(match[2]) * 100 + Number((match[3] || "0").padEnd(2, "0"));
  return match[1] ? -cents : cents;
}

export function formatCents(cents) {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(Math.round(cents));
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

export const sumCents = (values) => values.reduce((total, value) => total + toCents(value), 0);

/** "+20.00" / "-358.00" for a ledger amount (a money string, positive = money in). */
export function signed(value) {
  const cents = toCents(value);
  return `${cents > 0 ? "+" : cents < 0 ? "-" : ""}¥${formatCents(Math.abs(cents))}`;
}

export const signClass = (value) => (toCents(value) > 0 ? "plus" : toCents(value) < 0 ? "minus" : "");
