import http from "../utils/http";

export const getDirections = () => http.get("/course/direction/");
export const getCategories = (direction = 0) => http.get("/course/category/", { params: { direction } });
export const getCourses = (params) => http.get("/course/", { params });
export const getCourse = (id) => http.get(`/course/${id}/`);

export const getReviews = (id, params, options = {}) => http.get(`/course/${id}/reviews/`, { params, ...options });
/** `{score 1–5, content ≤ 500}`: owners only; a second post edits the first. */
export const postReview = (id, { score, content }) => http.post(`/course/${id}/review/`, { score, content });
