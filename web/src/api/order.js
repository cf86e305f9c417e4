import http from "../utils/http";

export const PAY_TYPE_ALIPAY = 0;
/** 余额: the order is paid at once from the balance, or refused with 400 余额不足 (SPEC §9.2). */
export const PAY_TYPE_BALANCE = 2;

/** `{pay_type, user_coupon_id (-1 = none), credit}` → `{id, order_number, order_timeout}` */
export const createOrder = ({ couponId = -1, credit = 0, payType = PAY_TYPE_ALIPAY }) =>
  http.post("/order/", { pay_type: payType, user_coupon_id: couponId, credit });
export const getOrderStatus = () => http.get("/order/pay/status/");
/** `{page, size, status}` and optionally `order_number` (exact or prefix). */
export const getOrders = ({ page, size, status, order_number }, options = {}) =>
  http.get("/order/list/", { params: { page, size, status, ...(order_number ? { order_number } : {}) }, ...options });
export const cancelOrder = (id) => http.put(`/order/${id}/`, {});
export const deleteOrder = (id) => http.delete(`/order/${id}/`);
export const recoverOrder = (id) => http.post(`/order/${id}/recover/`, {});

/** 申请退款 of a paid order `{reason}` → `{refund_id, status}` (SPEC §9.3). */
export const requestRefund = (id, reason) => http.post(`/order/${id}/refund/`, { reason });
/** The state of the order's latest refund request, or null when it has none (silent: the card
 * asks for every paid order, and a failed call must not toast once per card). */
export const getRefund = (id) => http.get(`/order/${id}/refund/`, { silent: true });
