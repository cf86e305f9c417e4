/** Where to go after a login or a registration: only a path inside this app (no open redirect). */
export function nextPath(next, fallback = "/user") {
  return typeof next === "string" && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : fallback;
}
