import http from "../utils/http";

export const getDirections = () => http.get("/course/direction/");
export const getCategories = (direction = 0) => http.get("/course/category/", { params: { direction } });
export const getCourses = (params) => http.get("/course/", { params });
export const getCourse = (id) => http.get(`/course/${id}/`);
