/** "2021-07-31T22:49:23.123456+08:00" → "2021-07-31 22:49:23" (the server renders Asia/Shanghai). */
export function displayTime(iso) {
  if (!iso) return "";
  return String(iso).replace("T", " ").split(".")[0].replace(/([+-]\d{2}:\d{2}|Z)$/, "");
}

/** Milliseconds since the epoch of an ISO 8601 time (microseconds are cut to what Date parses). */
export function parseTime(iso) {
  if (!iso) return NaN;
  return Date.parse(String(iso).replace(/(\.\d{3})\d+/, "$1"));
}

/** 754 → "12:34"; an hour or more → "1:02:34". */
export function formatCountdown(seconds) {
  const total = Math.max(0, Math.floor(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = String(Math.floor((total % 3600) / 60)).padStart(2, "0");
  const secs = String(total % 60).padStart(2, "0");
  return hours ? `${hours}:${minutes}:${secs}` : `${minutes}:${secs}`;
}
