import http from "../utils/http";

export const getCart = () => http.get("/cart/");
/** silent: the caller shows the refusal (it may offer a link to the order holding the course) */
export const addToCart = (courseId) => http.post("/cart/", { course_id: courseId }, { silent: true });
export const selectLine = (courseId, selected) => http.patch("/cart/", { course_id: courseId, selected });
export const selectAll = (selected) => http.put("/cart/", { selected });
export const removeLine = (courseId) => http.delete("/cart/", { params: { course_id: courseId } });
export const getCheckout = () => http.get("/cart/order/");
