/** Where the session lives: localStorage when the user ticked "remember me" (survives closing the
 * browser), sessionStorage otherwise (gone with the tab). One key prefix, one place that knows it. */
const PREFIX = "fsapi.";
const KEYS = ["token", "refresh", "cart_total"];

function pick(remember) {
  return remember ? window.localStorage : window.sessionStorage;
}

/** The saved session, whichever storage holds it (sessionStorage wins: it is the newer login). */
export function loadSession() {
  for (const [storage, remember] of [
    [window.sessionStorage, false],
    [window.localStorage, true],
  ]) {
    const token = storage.getItem(PREFIX + "token");
    if (token) {
      return {
        token,
        refresh: storage.getItem(PREFIX + "refresh") || "",
        cartTotal: Number(storage.getItem(PREFIX + "cart_total")) || 0,
        remember,
      };
    }
  }
  return null;
}

export function saveSession({ token, refresh, cartTotal }, remember) {
  clearSession();
  const storage = pick(remember);
  storage.setItem(PREFIX + "token", token);
  storage.setItem(PREFIX + "refresh", refresh || "");
  storage.setItem(PREFIX + "cart_total", String(cartTotal || 0));
}

export function saveCartTotal(cartTotal, remember) {
  pick(remember).setItem(PREFIX + "cart_total", String(cartTotal || 0));
}

export function clearSession() {
  for (const storage of [window.localStorage, window.sessionStorage]) {
    for (const key of KEYS) storage.removeItem(PREFIX + key);
  }
}

/** Settings that outlive a login (e.g. the order time-out the server last announced). */
export function loadSetting(name, fallback) {
  const value = window.localStorage.getItem(PREFIX + name);
  return value === null ? fallback : JSON.parse(value);
}

export function saveSetting(name, value) {
  window.localStorage.setItem(PREFIX + name, JSON.stringify(value));
}
