import http from "../utils/http";

export const getCoupons = (options = {}) => http.get("/coupon/", options);
export const getEnableCoupons = () => http.get("/coupon/enable/", { silent: true });

/** 我的优惠券 from the database: `status` usable | used | expired, paginated. */
export const getMyCoupons = ({ status, page, size }, options = {}) =>
  http.get("/coupon/mine/", { params: { status, page, size }, ...options });
