/** Adding a course to the cart, with the login check and the header's count kept in step. */
import { toast } from "./message";

import { addToCart } from "../api/cart";
import { useUserStore } from "../stores/user";

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
  } catch {
    return false; // message shown by the http module (e.g. already bought)
  }
}
