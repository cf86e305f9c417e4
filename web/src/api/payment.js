import http from "../utils/http";

export const getPayLink = (orderNumber) => http.get(`/payments/alipay/${orderNumber}/`);
export const queryPayment = (orderNumber) => http.get(`/payments/alipay/query/${orderNumber}/`, { silent: true });
export const getPayResult = (query) => http.get("/payments/alipay/result/", { params: query });
