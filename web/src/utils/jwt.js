/** Decode a JWT's payload (no verification: the server checks the signature, the client only reads
 * the profile it carries). base64url + UTF-8, so a Chinese nickname survives (plain atob does not). */
export function decodePayload(token) {
  if (typeof token !== "string") return null;
  const part = token.split(".")[1];
  if (!part) return null;
  try {
    const base64 = part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "=");
    const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
}

/** True when the payload's `exp` (seconds) has passed; a payload without `exp` never expires. */
export function isExpired(payload, now = Date.now()) {
  return !payload || (typeof payload.exp === "number" && payload.exp * 1000 <= now);
}
