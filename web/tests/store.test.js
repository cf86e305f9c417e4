import { createPinia, setActivePinia } from "pinia";
import { beforeEach, describe, expect, it } from "vitest";

import { useUserStore } from "../src/stores/user";
import { decodePayload, isExpired } from "../src/utils/jwt";

/** A JWT-shaped token whose payload is `claims` (base64url of UTF-8 JSON, as simplejwt makes). */
function tokenFor(claims) {
  const bytes = new TextEncoder().encode(JSON.stringify(claims));
  const base64 = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  return `eyJhbGciOiJIUzI1NiJ9.${base64}.signature`;
}

const inAnHour = Math.floor(Date.now() / 1000) + 3600;
const CLAIMS = { user_id: 7, username: "demo", nickname: "墨落", avatar: "/static/images/default_avatar.png", credit: 1000, exp: inAnHour };

describe("the JWT payload", () => {
  it("decodes UTF-8 claims such as a Chinese nickname", () => {
    expect(decodePayload(tokenFor(CLAIMS))).toMatchObject({ nickname: "墨落", credit: 1000 });
  });

  it("is null for something that is not a token", () => {
    expect(decodePayload("nonsense")).toBeNull();
    expect(decodePayload("a.%%%.c")).toBeNull();
    expect(decodePayload(undefined)).toBeNull();
  });

  it("knows when it has expired", () => {
    expect(isExpired({ exp: inAnHour })).toBe(false);
    expect(isExpired({ exp: 1 })).toBe(true);
    expect(isExpired(null)).toBe(true);
  });
});

describe("the user store", () => {
  beforeEach(() => {
    localStorage.clear();
    sessionStorage.clear();
    setActivePinia(createPinia());
  });

  it("holds the user decoded from the login token and the cart total", () => {
    const store = useUserStore();
    store.login({ token: tokenFor(CLAIMS), refresh: "r", cart_total: 3 }, true);
    expect(store.isLoggedIn).toBe(true);
    expect(store.user).toEqual({ user_id: 7, username: "demo", nickname: "墨落", avatar: CLAIMS.avatar, credit: 1000 });
    expect(store.cart_total).toBe(3);
  });

  it("remembers a login in localStorage when asked to", () => {
    useUserStore().login({ token: tokenFor(CLAIMS), refresh: "r", cart_total: 1 }, true);
    expect(localStorage.getItem("fsapi.token")).toBeTruthy();
    expect(sessionStorage.getItem("fsapi.token")).toBeNull();
  });

  it("keeps a login without remember-me in sessionStorage only", () => {
    useUserStore().login({ token: tokenFor(CLAIMS), refresh: "r", cart_total: 1 }, false);
    expect(sessionStorage.getItem("fsapi.token")).toBeTruthy();
    expect(localStorage.getItem("fsapi.token")).toBeNull();
  });

  it("restores the saved session after a reload", () => {
    useUserStore().login({ token: tokenFor(CLAIMS), refresh: "r", cart_total: 4 }, true);
    setActivePinia(createPinia());
    const store = useUserStore();
    store.restore();
    expect(store.isLoggedIn).toBe(true);
    expect(store.user.nickname).toBe("墨落");
    expect(store.cart_total).toBe(4);
    expect(store.remember).toBe(true);
  });

  it("treats an expired saved token as logged out and forgets it", () => {
    useUserStore().login({ token: tokenFor({ ...CLAIMS, exp: 1 }), refresh: "r", cart_total: 0 }, true);
    setActivePinia(createPinia());
    const store = useUserStore();
    store.restore();
    expect(store.isLoggedIn).toBe(false);
    expect(localStorage.getItem("fsapi.token")).toBeNull();
  });

  it("forgets everything on logout", () => {
    const store = useUserStore();
    store.login({ token: tokenFor(CLAIMS), refresh: "r", cart_total: 2 }, true);
    store.logout();
    expect(store.isLoggedIn).toBe(false);
    expect(store.cart_total).toBe(0);
    expect(localStorage.getItem("fsapi.token")).toBeNull();
  });

  it("saves the cart total where the session lives", () => {
    const store = useUserStore();
    store.login({ token: tokenFor(CLAIMS), refresh: "r", cart_total: 0 }, false);
    store.setCartTotal(5);
    expect(sessionStorage.getItem("fsapi.cart_total")).toBe("5");
    store.setCartTotal(-1);
    expect(store.cart_total).toBe(0);
  });

  it("merges a fresh profile into the header's user", () => {
    const store = useUserStore();
    store.login({ token: tokenFor(CLAIMS), refresh: "r", cart_total: 0 }, false);
    store.setProfile({ nickname: "新昵称", avatar: "/uploads/avatar/a.png", credit: 900, city: "杭州" });
    expect(store.user).toMatchObject({ nickname: "新昵称", avatar: "/uploads/avatar/a.png", credit: 900 });
    expect(store.profile.city).toBe("杭州");
  });
});
