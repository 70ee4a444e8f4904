// fetch wrapper for /api/v1: JSON in and out, {"error"} bodies turned into ApiError with the server's message.
// A 401 on a teacher page means the login expired: go to the login page and come back here afterwards.

export class ApiError extends Error {
  // problems: for a rejected import or quiz, every bad line or field the server named; data: the whole body.
  constructor(status, message, problems = [], data = null) {
    super(message);
    this.status = status;
    this.problems = problems;
    this.data = data;
  }
}

export function loginUrl() {
  return "/login?next=" + encodeURIComponent(location.pathname + location.search);
}

export async function api(path, {method = "GET", body, file, type, redirectOn401 = true} = {}) {
  const init = {method, credentials: "same-origin", headers: {Accept: "application/json"}};
  if (file) {  // a File or Blob sent as the raw body (photos, images, CSV and quiz files)
    init.headers["Content-Type"] = type || file.type || "application/octet-stream";
    init.body = file;
  } else if (method !== "GET") {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body ?? {});
  }
  let response;
  try {
    response = await fetch("/api/v1" + path, init);
  } catch {
    throw new ApiError(0, "Cannot reach Argus. Check the network connection.");
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (response.status === 401 && redirectOn401) {
    window.dispatchEvent(new Event("argus:login-expired"));  // e.g. the editor drops its "leave page?" guard
    location.assign(loginUrl());
    throw new ApiError(401, "Please log in again.");
  }
  if (!response.ok) {
    throw new ApiError(response.status, (data && data.error) || `${response.status} ${response.statusText}`,
      (data && data.problems) || [], data);
  }
  return data;
}

// Every teacher page has a "Log out" button in its top bar.
export function wireLogout() {
  const button = document.getElementById("logout");
  if (!button) return;
  button.addEventListener("click", async () => {
    try {
      await api("/logout", {method: "POST", redirectOn401: false});
    } finally {
      location.assign("/login");
    }
  });
}
