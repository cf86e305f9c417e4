import http from "../utils/http";

export const PAY_TYPE_ALIPAY = 0;

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
