/** The kinds and channels of 我的消费记录 (GET /user/records/, SPEC §9.1); an unknown value is
 * shown as the API sent it. */
export const RECORD_KINDS = Object.freeze({
  payment: "订单支付",
  recharge: "余额充值",
  refund: "退款",
  adjust: "余额调整",
});

/** The filter tabs of 我的消费记录 (`kind` of /user/records/; "" = all). */
export const RECORD_TABS = Object.freeze([
  { value: "", label: "全部" },
  { value: "payment", label: "订单支付" },
  { value: "recharge", label: "余额充值" },
  { value: "refund", label: "退款" },
]);

export const PAY_CHANNELS = Object.freeze({
  alipay: "支付宝",
  balance: "余额",
  wechat: "微信",
});

export const recordKindLabel = (kind) => RECORD_KINDS[kind] || kind || "";
export const channelLabel = (channel) => PAY_CHANNELS[channel] || channel || "";
