// Claiming a new appliance: setup code + the first admin account. The server logs the new admin in.
import {api} from "./api.js";
import {$} from "./dom.js";

const form = $("setup-form");
const error = $("setup-error");
const minLength = Number($("main").dataset.minLength) || 8;

function fail(message, field) {
  error.textContent = message;
  error.hidden = false;
  if (field) $(field).focus();
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const code = $("code").value.trim();
  const username = $("username").value.trim();
  const password = $("password").value;
  error.hidden = true;
  if (!code) return fail("Enter the setup code (see above for where to find it).", "code");
  if (!username) return fail("Choose a username for the admin account.", "username");
  if (password.length < minLength) return fail(`The password needs at least ${minLength} characters.`, "password");
  if (password !== $("password2").value) return fail("The two passwords are not the same.", "password2");
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    await api("/setup", {method: "POST", body: {code, username, password}, redirectOn401: false});
    location.assign("/admin");  // its "First steps" say what comes next
  } catch (failure) {
    button.disabled = false;
    if (failure.status === 409) {
      // Someone claimed it meanwhile: the only way on is to log in.
      location.assign("/login");
      return;
    }
    fail(failure.status === 403 ? "That setup code is not right. Check it letter by letter (no 0 or O, no 1 or I)." : failure.message,
      failure.status === 403 ? "code" : null);
  }
});
