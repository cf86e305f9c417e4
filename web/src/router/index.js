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
    path: "/user",
    component: () => import("../views/User.vue"),
    meta: { title: `${SITE}-个人中心`, authorization: true },
    children: [
      {
        path: "",
        name: "UserInfo",
        component: () => import("../components/user/Info.vue"),
        meta: { title: `${SITE}-个人信息`, authorization: true },
      },
      {
        path: "order",
        name: "UserOrder",
        component: () => import("../components/user/Order.vue"),
        meta: { title: `${SITE}-我的订单`, authorization: true },
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
    name: "Order",
    component: () => import("../views/Order.vue"),
    meta: { title: `${SITE}-确认下单`, authorization: true },
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
