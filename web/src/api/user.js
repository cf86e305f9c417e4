import http from "../utils/http";

export const login = (username, password) => http.post("/user/login/", { username, password }, { anonymous: true });
export const getProfile = () => http.get("/user/info/");
export const updateProfile = (fields) => http.patch("/user/info/", fields);

/** The avatar goes up as multipart, as the API expects for an image. */
export function uploadAvatar(file) {
  const form = new FormData();
  form.append("avatar", file);
  return http.patch("/user/info/", form);
}
