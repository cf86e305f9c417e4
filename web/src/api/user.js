import http from "../utils/http";

export const login = (username, password) => http.post("/user/login/", { username, password }, { anonymous: true });
export const getProfile = () => http.get("/user/info/");
export const updateProfile = (fields) => http.patch("/user/info/", fields);

/** The avatar goes up as multipart, as the API expects for an image. */
export function uploadAvatar(file) {
  const form = new FormData();
  form.append("avatar", file);
  return http.patch("/user/info/", form);
}

/** `{mobile, password, re_password}` → `{token}` (SPEC §3). */
export const register = ({ mobile, password, rePassword }) =>
  http.post("/user/register/", { mobile, password, re_password: rePassword }, { anonymous: true });

export const getMyCourses = (params, options = {}) => http.get("/user/course/", { params, ...options });
export const getCredit = (params, options = {}) => http.get("/user/credit/", { params, ...options });
export const getBalance = (params, options = {}) => http.get("/user/balance/", { params, ...options });
export const getRecords = (params, options = {}) => http.get("/user/records/", { params, ...options });
/** 余额充值 `{amount}` (1.00–50000.00) → `{recharge_number, link}`: the Alipay (or sandbox) cashier. */
export const recharge = (amount) => http.post("/user/balance/recharge/", { amount });
