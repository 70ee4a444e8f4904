// The cloud sync card's set-up form: where results go and the credentials to get there, tested with a probe
// object before saving ("Test connection"), saved on the appliance (the credentials to a file only it can read;
// never shown again), or forgotten so config.toml's [sync] is in force again.
import {api} from "./api.js";
import {$} from "./dom.js";

const KINDS = {
  s3: {hint: "s3://BUCKET/FOLDER: the bucket, and a folder in it for this appliance", example: "s3://school-results/argus"},
  webdav: {hint: "webdav+https://HOST/PATH: the folder's WebDAV address (Nextcloud: …/remote.php/dav/files/USER/argus)",
    example: "webdav+https://cloud.school.example/remote.php/dav/files/argus/results"},
  webhook: {hint: "https://HOST/PATH: the school's receiver, sent signed POSTs", example: "https://results.school.example/argus"},
};
let onStatus = () => {};
let filled = false;

function kindOf(target) {
  if (target.startsWith("s3://")) return "s3";
  if (target.startsWith("webdav+")) return "webdav";
  return target ? "webhook" : "s3";
}

function showKind() {
  const kind = $("sync-kind").value;
  for (const field of document.querySelectorAll("#sync-form [data-for]")) field.hidden = field.dataset.for !== kind;
  $("sync-target-hint").textContent = KINDS[kind].hint;
  $("sync-target").placeholder = KINDS[kind].example;
}

function body() {
  const kind = $("sync-kind").value;
  const credentials = {};
  for (const input of document.querySelectorAll(`#sync-form [data-for="${kind}"] [data-credential]`)) {
    if (input.value.trim()) credentials[input.dataset.credential] = input.value.trim();
  }
  const out = {target: $("sync-target").value.trim(), recipient: $("sync-recipient").value.trim()};
  if (kind === "s3") Object.assign(out, {endpoint: $("sync-endpoint").value.trim(), region: $("sync-region").value.trim()});
  const interval = Number($("sync-interval").value);
  if (interval) out.interval_seconds = interval;
  if (Object.keys(credentials).length) out.credentials = credentials;
  return out;
}

function say(ok, text) {
  $("sync-form-ok").hidden = !ok;
  $("sync-form-error").hidden = ok;
  (ok ? $("sync-form-ok") : $("sync-form-error")).textContent = text;
}

// Called with every GET /sync: the source line always, the form's fields once (not over the admin's typing).
export function syncSettingsSeen(s) {
  $("sync-source").textContent = s.source === "admin page"
    ? `In force: the settings saved on this page${s.credentials_set ? " (credentials saved)" : " (no credentials saved)"}.`
    : "In force: the appliance's config.toml ([sync]). Saving here takes over from it.";
  $("sync-forget").hidden = s.source !== "admin page";
  if (filled) return;
  filled = true;
  $("sync-kind").value = kindOf(s.target || "");
  $("sync-target").value = s.target || "";
  $("sync-endpoint").value = s.endpoint || "";
  $("sync-region").value = s.region || "";
  $("sync-recipient").value = s.recipient || "";
  $("sync-interval").value = s.interval_seconds ? String(Math.round(s.interval_seconds)) : "";
  showKind();
}

async function run(button, job) {
  button.disabled = true;
  try {
    await job();
  } catch (failure) {
    say(false, failure.message);
  } finally {
    button.disabled = false;
  }
}

function testConnection() {
  return run($("sync-test"), async () => {
    say(true, "Testing: writing, reading back and deleting a test file…");
    const result = await api("/sync/test", {method: "POST", body: body()});
    if (result.ok) say(true, "✓ Connection works: a test file was written, read back and deleted.");
    else say(false, `✗ The connection does not work: ${result.error}`);
  });
}

function save(event) {
  event.preventDefault();
  return run($("sync-save"), async () => {
    const status = await api("/sync/settings", {method: "PUT", body: body()});
    for (const input of document.querySelectorAll("#sync-form [data-credential]")) input.value = "";
    say(true, "Saved: cloud sync uses these settings now.");
    onStatus(status);
  });
}

function forget() {
  if (!confirm("Forget the settings and credentials saved here? The appliance's config.toml is used again.")) return;
  run($("sync-forget"), async () => {
    const status = await api("/sync/settings", {method: "DELETE"});
    filled = false;
    say(true, "The settings saved here are gone: config.toml is in force.");
    onStatus(status);
  });
}

export function wireSyncSettings(statusShown) {
  onStatus = statusShown;
  $("sync-kind").addEventListener("change", showKind);
  $("sync-test").addEventListener("click", testConnection);
  $("sync-form").addEventListener("submit", save);
  $("sync-forget").addEventListener("click", forget);
  showKind();
}
