import { defineStore } from "pinia";

import { getCoupons } from "../api/coupon";
import { getProfile } from "../api/user";

import { decodePayload, isExpired } from "../utils/jwt";
import { clearSession, loadSession, loadSetting, saveCartTotal, saveSession, saveSetting } from "../utils/storage";

const DEFAULT_ORDER_TIMEOUT = 900; // seconds; the API's ORDER_TIMEOUT default, until the server tells us
const DEFAULT_CREDIT_TO_MONEY = 10; // credits per yuan, idem

function profileFrom(payload) {
  if (!payload) return null;
  return {
    user_id: payload.user_id,
    username: payload.username || "",
    nickname: payload.nickname || "",
    avatar: payload.avatar || "",
    credit: Number(payload.credit) || 0,
  };
}

/** The logged-in user as the header and the user center show it: decoded from the access token's
 * payload at login, refreshed from `/user/info/` when a page asks for the live profile. */
export const useUserStore = defineStore("user", {
  state: () => ({
    token: "",
    refresh: "",
    remember: false,
    user: null,
    cart_total: 0,
    order_timeout: DEFAULT_ORDER_TIMEOUT,
    credit_to_money: DEFAULT_CREDIT_TO_MONEY,
    profile: null, // the full /user/info/ answer, once a page loaded it
    coupon_count: null, // how many coupons the user can use now (null: unknown)
  }),
  getters: {
    isLoggedIn: (state) => Boolean(state.token && state.user),
  },
  actions: {
    /** Rebuild the session saved by an earlier login (an expired token counts as logged out). */
    restore() {
      this.order_timeout = loadSetting("order_timeout", DEFAULT_ORDER_TIMEOUT);
      this.credit_to_money = loadSetting("credit_to_money", DEFAULT_CREDIT_TO_MONEY);
      const saved = loadSession();
      if (!saved) return;
      const payload = decodePayload(saved.token);
      if (isExpired(payload)) {
        clearSession();
        return;
      }
      this.token = saved.token;
      this.refresh = saved.refresh;
      this.remember = saved.remember;
      this.cart_total = saved.cartTotal;
      this.user = profileFrom(payload);
    },
    /** `answer` is the plain object of POST /user/login/: {token, refresh, cart_total, …}. */
    login(answer, remember) {
      const payload = decodePayload(answer.token);
      if (!payload) throw new Error("登录返回的令牌无法识别");
      this.token = answer.token;
      this.refresh = answer.refresh || "";
      this.remember = Boolean(remember);
      this.user = profileFrom(payload);
      this.cart_total = Number(answer.cart_total) || 0;
      saveSession({ token: this.token, refresh: this.refresh, cartTotal: this.cart_total }, this.remember);
    },
    logout() {
      this.token = "";
      this.refresh = "";
      this.user = null;
      this.profile = null;
      this.coupon_count = null;
      this.cart_total = 0;
      clearSession();
    },
    setCartTotal(total) {
      this.cart_total = Math.max(0, Number(total) || 0);
      if (this.token) saveCartTotal(this.cart_total, this.remember);
    },
    /** Merge fresh profile fields (from /user/info/) into what the header shows. */
    updateUser(fields) {
      if (!this.user) return;
      for (const key of ["nickname", "avatar", "credit", "username"]) {
        if (fields[key] !== undefined && fields[key] !== null) this.user[key] = fields[key];
      }
    },
    /** Fetch the live profile (credit changes with every order) and the usable coupon count. */
    async loadProfile() {
      const [profile, coupons] = await Promise.all([
        getProfile(),
        getCoupons({ silent: true }).catch(() => null),
      ]);
      this.profile = profile;
      this.updateUser(profile);
      this.coupon_count = Array.isArray(coupons) ? coupons.length : (coupons?.results?.length ?? null);
      return profile;
    },
    setProfile(profile) {
      this.profile = profile;
      this.updateUser(profile);
    },
    setOrderTimeout(seconds) {
      const value = Number(seconds);
      if (value > 0) {
        this.order_timeout = value;
        saveSetting("order_timeout", value);
      }
    },
    setCreditToMoney(rate) {
      const value = Number(rate);
      if (value > 0) {
        this.credit_to_money = value;
        saveSetting("credit_to_money", value);
      }
    },
  },
});
