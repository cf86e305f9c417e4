import http from "../utils/http";

export const getCoupons = (options = {}) => http.get("/coupon/", options);
export const getEnableCoupons = () => http.get("/coupon/enable/", { silent: true });
