import { createRouter, createWebHistory } from "vue-router";

import { useUserStore } from "../stores/user";

const SITE = "飞升在线教育";

const routes = [
  { path: "/", name: "Home", redirect: { name: "Course" }, meta: { title: `${SITE}-站点首页` } },
  {
    path: "/login",
    name: "Login",
    component: () => import("../views/Login.vue"),
    meta: { title: `${SITE}-用户登录` },
  },
  {
    path: "/register",
    name: "Register",
    component: () => import("../views/Register.vue"),
    meta: { title: `${SITE}-用户注册` },
  },
  {
    path: "/user",
    component: () => import("../views/User.vue"),
    meta: { title: `${SITE}-个人中心`, authorization: true },
    children: [
      {
        path: "",
        name: "UserInfo",
        component: () => import("../views/user/Info.vue"),
        meta: { title: `${SITE}-个人信息`, authorization: true },
      },
      {
        path: "course",
        name: "UserCourse",
        component: () => import("../views/user/Courses.vue"),
        meta: { title: `${SITE}-我的课程`, authorization: true },
      },
      {
        path: "order",
        name: "UserOrder",
        component: () => import("../views/user/Orders.vue"),
        meta: { title: `${SITE}-我的订单`, authorization: true },
      },
      {
        path: "balance",
        name: "UserBalance",
        component: () => import("../views/user/Balance.vue"),
        meta: { title: `${SITE}-我的余额`, authorization: true },
      },
      {
        path: "coupon",
        name: "UserCoupon",
        component: () => import("../views/user/Coupons.vue"),
        meta: { title: `${SITE}-我的优惠券`, authorization: true },
      },
      {
        path: "bill",
        name: "UserBill",
        component: () => import("../views/user/Bill.vue"),
        meta: { title: `${SITE}-我的消费记录`, authorization: true },
      },
    ],
  },
  {
    path: "/project",
    name: "Course",
    component: () => import("../views/Course.vue"),
    meta: { title: `${SITE}-课程列表` },
  },
  {
    path: "/project/:id(\\d+)",
    name: "CourseInfo",
    component: () => import("../views/CourseInfo.vue"),
    meta: { title: `${SITE}-课程详情` },
  },
  {
    path: "/cart",
    name: "Cart",
    component: () => import("../views/Cart.vue"),
    meta: { title: `${SITE}-购物车`, authorization: true },
  },
  {
    path: "/order",
    name: "Checkout",
    component: () => import("../views/Checkout.vue"),
    meta: { title: `${SITE}-确认下单`, authorization: true },
  },
  {
    path: "/user/help",
    name: "Help",
    component: () => import("../views/Help.vue"),
    meta: { title: `${SITE}-售后帮助` },
  },
  {
    path: "/alipay",
    name: "PaySuccess",
    component: () => import("../views/AliPaySuccess.vue"),
    meta: { title: "支付结果" },
  },
  { path: "/:unknown(.*)*", redirect: { name: "Course" } },
];

const router = createRouter({
  history: createWebHistory(),
  routes,
  scrollBehavior: () => ({ top: 0 }),
});

/** Titles, and the login guard: a private page sends a logged-out visitor to /login?next=…. */
router.beforeEach((to) => {
  document.title = to.meta.title || SITE;
  const store = useUserStore();
  if (to.meta.authorization && !store.isLoggedIn) {
    return { name: "Login", query: { next: to.fullPath } };
  }
  return true;
});

export default router;
