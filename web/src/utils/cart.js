/** Adding a course to the cart, with the login check and the header's count kept in step. A
 * course the API refuses because it is bought (400) or waits in an unpaid order (409, with the
 * order's number in `data`) offers the way there instead of a bare error. */
import { addToCart } from "../api/cart";
import { useUserStore } from "../stores/user";
import { confirmAction, toast } from "./message";

export async function addCourseToCart(course, router) {
  const store = useUserStore();
  if (!store.isLoggedIn) {
    toast.warning("请先登录");
    router.push({ name: "Login", query: { next: router.currentRoute.value.fullPath } });
    return false;
  }
  try {
    const data = await addToCart(course.id);
    if (data && data.cart_total !== undefined) store.setCartTotal(data.cart_total);
    toast.success(`《${course.name}》已加入购物车`);
    return true;
  } catch (error) {
    await offerTheWay(error, router);
    return false;
  }
}

async function offerTheWay(error, router) {
  const orderNumber = error?.data?.order_number;
  if (error?.status === 409 && orderNumber) {
    if (await confirmAction(error.message, "课程在待支付的订单中", "去支付订单", "知道了")) {
      router.push({ path: "/user/order", query: { order_number: orderNumber } });
    }
    return;
  }
  if (error?.status === 400 && error?.data?.course_id !== undefined) {
    if (await confirmAction(error.message, "已购买的课程", "去我的课程", "知道了")) router.push("/user/course");
    return;
  }
  if (error?.status !== 401) toast.error(error?.message || "加入购物车失败");
}
