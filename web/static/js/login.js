// Log in with fetch (JSON), then go where the teacher was heading.
import {api} from "./api.js";
import {$} from "./dom.js";

// Same-site paths only, so a crafted link cannot bounce a teacher to another site after login: "/" and then
// printable ASCII with no second slash or backslash after it (browsers drop tabs and newlines and read a
// backslash as "/", so "/<TAB>/evil.example" is "//evil.example"), and it must still resolve to this origin.
function safeNext(target) {
  if (!target || !/^\/(?![\/\\])[!-~]*$/.test(target) || target.includes("\\")) return "/";
  // Resolved, then used whole: "/..//evil.example" has the path "//evil.example", which would leave if re-sliced.
  const url = new URL(target, location.origin);
  return url.origin === location.origin && !url.pathname.startsWith("//") ? url.href : "/";
}

const form = $("login-form");
const error = $("login-error");
const next = safeNext($("main").dataset.next);
// Coming from "change my password": say why they are here again.
$("login-note").hidden = new URLSearchParams(location.search).get("changed") !== "1";

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const username = $("username").value.trim();
  const password = $("password").value;
  if (!username || !password) {
    error.textContent = "Enter your username and password.";
    error.hidden = false;
    return;
  }
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  error.hidden = true;
  try {
    await api("/login", {method: "POST", body: {username, password}, redirectOn401: false});
    location.assign(next);
  } catch (failure) {
    error.textContent = failure.status === 401 ? "Wrong username or password." : failure.message;
    error.hidden = false;
    $("password").select();
    button.disabled = false;
  }
});
