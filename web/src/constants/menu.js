/** The user center's six menu entries, as the tutorial's (SPEC §9.6): the side menu of /user and
 * the header's collapsed menu on a phone. */
export const USER_MENU = Object.freeze([
  { to: "/user", label: "个人信息" },
  { to: "/user/course", label: "我的课程" },
  { to: "/user/order", label: "我的订单" },
  { to: "/user/balance", label: "我的余额" },
  { to: "/user/coupon", label: "我的优惠券" },
  { to: "/user/bill", label: "我的消费记录" },
]);
