/** Order statuses (SPEC §2) — the one place the client names them. The tabs of 我的订单 still
 * come from /order/pay/status/; these are for the logic (which actions a card offers). */
export const ORDER_STATUS = Object.freeze({
  UNPAID: 0, // 未支付
  PAID: 1, // 已支付
  CANCELLED: 2, // 已取消
  TIMED_OUT: 3, // 已超时
  REFUNDED: 4, // 已退款
});

export const ORDER_STATUS_LABELS = Object.freeze({
  [ORDER_STATUS.UNPAID]: "未支付",
  [ORDER_STATUS.PAID]: "已支付",
  [ORDER_STATUS.CANCELLED]: "已取消",
  [ORDER_STATUS.TIMED_OUT]: "已超时",
  [ORDER_STATUS.REFUNDED]: "已退款",
});

/** The 全部 tab. */
export const ALL_ORDERS = -1;

/** Cancelled or timed out: nothing was paid, the order can be recovered into the cart or deleted. */
export const isClosed = (status) => status === ORDER_STATUS.CANCELLED || status === ORDER_STATUS.TIMED_OUT;

/** Money actually went through for these (a refunded order was paid once). */
export const wasPaid = (status) => status === ORDER_STATUS.PAID || status === ORDER_STATUS.REFUNDED;

/** 订单实付 for an order that was paid or is being paid, 应付 for one closed unpaid. */
export const amountLabel = (status) => (isClosed(status) ? "应付" : "实付");

/**
 * What 订单恢复 tells the customer, from the API's `{cart_total, added, skipped}` (course ids) and
 * the course ids that were in the cart before: the API counts a line it only re-selected as added,
 * so those are told apart here ("already in the cart" is not "added").
 */
export function recoverMessage({ added = [], skipped = [] } = {}, inCartBefore = []) {
  const before = new Set((inCartBefore || []).map(Number));
  const fresh = (added || []).filter((id) => !before.has(Number(id))).length;
  const already = (added || []).length - fresh;
  const skippedCount = (skipped || []).length;
  const parts = [];
  if (already) parts.push(`${already} 门已在购物车中`);
  if (skippedCount) parts.push(`${skippedCount} 门无法加入（已购买、已下架或购物车已满）`);
  if (!fresh) {
    return { type: "warning", text: parts.length ? `没有新的课程加回购物车：${parts.join("，")}` : "没有课程可以加回购物车" };
  }
  return { type: "success", text: `已加回购物车 ${fresh} 门课程${parts.length ? `，${parts.join("，")}` : ""}` };
}
