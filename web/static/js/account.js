// Change my own password. The server ends every login of this account, so we go to the login page.
import {api, wireLogout} from "./api.js";
import {$} from "./dom.js";

wireLogout();
const form = $("password-form");
const error = $("password-error");
const minLength = Number($("main").dataset.minLength) || 8;

function fail(message, field) {
  error.textContent = message;
  error.hidden = false;
  $(field).focus();
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  error.hidden = true;
  const current = $("current").value;
  const fresh = $("new").value;
  if (!current) return fail("Enter your current password.", "current");
  if (fresh.length < minLength) return fail(`The new password needs at least ${minLength} characters.`, "new");
  if (fresh !== $("new2").value) return fail("The two new passwords are not the same.", "new2");
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    await api("/me/password", {method: "POST", body: {current, new: fresh}, redirectOn401: false});
    location.assign("/login?changed=1");
  } catch (failure) {
    button.disabled = false;
    if (failure.status === 403) fail("Your current password is not right.", "current");
    else fail(failure.message, "new");
  }
});
