// The admin's page: status of the appliance, teacher accounts (add, reset, disable, delete), the audit log, the
// HTTPS certificate, exports (JSON download, USB stick) and cloud sync.
// Status and the list of USB sticks refresh themselves every few seconds while the tab is visible.
import {api, wireLogout} from "./api.js";
import {$, clear, el, formatTime, toast} from "./dom.js";
import {wireBackups} from "./admin_backups.js";
import {wirePrivacy} from "./admin_privacy.js";
import {syncSettingsSeen, wireSyncSettings} from "./admin_sync_settings.js";

const STATUS_EVERY_MS = 5000;
const USB_EVERY_MS = 3000;

wireLogout();
const main = $("main");
const minLength = Number(main.dataset.minLength) || 8;

// ---------- status ----------

function duration(seconds) {
  if (typeof seconds !== "number") return "unknown";
  const s = Math.floor(seconds);
  const days = Math.floor(s / 86400), hours = Math.floor((s % 86400) / 3600), minutes = Math.floor((s % 3600) / 60);
  if (days) return `${days} d ${hours} h`;
  if (hours) return `${hours} h ${minutes} min`;
  return `${minutes} min ${s % 60} s`;
}

function mb(value) {
  if (typeof value !== "number") return "unknown";
  return value >= 1024 ? `${(value / 1024).toFixed(1)} GB` : `${Math.round(value)} MB`;
}

function statusRows(h) {
  const cam = h.camera;
  const camera = cam.ok
    ? `OK · ${cam.source} · ${cam.fps.toFixed(1)} frames/s`
    : `Not working: ${cam.error || "no picture"}`;
  const throttled = h.throttling === null ? "not available (not a Raspberry Pi)"
    : h.throttling.length ? h.throttling.join(", ") : "none";
  const temperature = h.cpu_temperature_c === null ? "not available" : `${h.cpu_temperature_c.toFixed(1)} °C`;
  const backups = h.backup.count
    ? `${h.backup.count} kept, newest ${h.backup.newest_age_hours.toFixed(1)} h old`
    : "none yet";
  return [
    ["camera", "Camera", camera, !cam.ok],
    ["dropped", "Dropped frames", `${cam.dropped} of ${cam.frames} frames`, false],
    ["reader", "Card reader", `${h.reader.ms_per_frame.toFixed(0)} ms per frame · ${h.reader.cards_last_frame} cards in the last frame`, false],
    ["temperature", "CPU temperature", temperature, h.cpu_temperature_c !== null && h.cpu_temperature_c >= 80],
    ["throttling", "Throttling", throttled, Boolean(h.throttling && h.throttling.length)],
    ["memory", "Memory", `Argus uses ${mb(h.memory.process_rss_mb)} · ${mb(h.memory.available_mb)} free`, false],
    ["disk", "Disk free", `${mb(h.disk.free_mb)}${h.disk.low ? " · LOW" : ""}`, h.disk.low],
    ["uptime", "Running for", `${duration(h.uptime_s.appliance)} (system up ${duration(h.uptime_s.system)})`, false],
    ["screens", "Live screens", String(h.live_clients), false],
    ["backups", "Backups", backups, h.backup.count === 0],
    ["version", "Version", h.version, false],
  ];
}

async function loadStatus() {
  let health;
  try {
    health = await api("/health");
  } catch (failure) {
    $("status-updated").textContent = `Could not read the status: ${failure.message}`;
    return;
  }
  const list = clear($("status-list"));
  for (const [key, label, value, bad] of statusRows(health)) {
    list.append(el("div", {class: `stat${bad ? " bad" : ""}`, attrs: {"data-stat": key}},
      el("dt", {text: label}), el("dd", {text: value})));
  }
  const warning = $("disk-warning");
  warning.hidden = !health.disk.low;
  warning.textContent = health.disk.low
    ? `The disk is almost full (${mb(health.disk.free_mb)} free, ${mb(health.disk.min_free_mb)} wanted). ` +
      "Export the results, then delete old data, or answers may stop being saved."
    : "";
  const camera = $("status-camera-banner");
  camera.hidden = health.camera.ok;
  camera.textContent = health.camera.ok ? "" : `No camera: ${health.camera.error || "not connected"}`;
  $("status-updated").textContent = `Updated ${new Date().toLocaleTimeString()}`;
}

// ---------- accounts ----------

function passwordProblem(password, again) {
  if (password.length < minLength) return `The password needs at least ${minLength} characters.`;
  if (again !== undefined && password !== again) return "The two passwords are not the same.";
  return null;
}

function resetForm(user) {
  const input = el("input", {attrs: {type: "password", autocomplete: "new-password", required: true,
    "aria-label": `New password for ${user.username}`}});
  const error = el("p", {class: "form-error", attrs: {role: "alert"}});
  error.hidden = true;
  const form = el("form", {class: "reset-form", attrs: {novalidate: true}}, input,
    el("button", {class: "button small primary", text: "Save", attrs: {type: "submit"}}),
    el("button", {class: "button small quiet", text: "Cancel", attrs: {type: "button"}}), error);
  form.hidden = true;
  form.querySelector("button[type=button]").addEventListener("click", () => { form.hidden = true; });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const problem = passwordProblem(input.value);
    if (problem) {
      error.textContent = problem;
      error.hidden = false;
      return;
    }
    try {
      await api(`/users/${user.id}/password`, {method: "POST", body: {password: input.value}});
      form.hidden = true;
      input.value = "";
      toast(`New password saved for ${user.username}. They are logged out everywhere.`);
      loadAudit();
    } catch (failure) {
      error.textContent = failure.message;
      error.hidden = false;
    }
  });
  return form;
}

function accountButton(text, onClick, kind = "") {
  const button = el("button", {class: `button small ${kind}`.trim(), text, attrs: {type: "button"}});
  button.addEventListener("click", () => onClick(button));
  return button;
}

async function accountAction(button, path, method, done) {
  button.disabled = true;
  try {
    await api(path, {method});
    toast(done);
    await Promise.all([loadUsers(), loadAudit()]);
  } catch (failure) {
    toast(failure.message);
    button.disabled = false;
  }
}

function userRow(user) {
  const form = resetForm(user);
  const reset = accountButton("Reset password", () => {
    form.hidden = !form.hidden;
    if (!form.hidden) form.querySelector("input").focus();
  });
  const actions = el("td", {class: "actions"}, reset);
  if (user.role === "teacher") {
    const name = user.username;
    actions.append(user.disabled
      ? accountButton("Enable", (b) => accountAction(b, `/users/${user.id}/enable`, "POST", `${name} can log in again.`))
      : accountButton("Disable", (b) => accountAction(b, `/users/${user.id}/disable`, "POST",
        `${name} is disabled and logged out everywhere.`)),
    accountButton("Delete", (b) => {
      if (!confirm(`Delete the account ${name}?\n\nTheir classes, quizzes and results are kept and become yours.`)) return;
      accountAction(b, `/users/${user.id}`, "DELETE", `${name} is deleted; their classes and results are now yours.`);
    }, "danger"));
  }
  actions.append(form);
  return el("tr", {attrs: {"data-username": user.username}},
    el("th", {text: user.username, attrs: {scope: "row"}}),
    el("td", {text: user.role === "admin" ? "Admin" : "Teacher"}),
    el("td", {text: formatTime(user.created_at)}),
    el("td", {text: user.disabled ? "Disabled" : "Active", class: user.disabled ? "user-disabled" : ""}),
    actions);
}

async function loadUsers() {
  const users = await api("/users");
  const body = clear($("users-body"));
  for (const user of users) body.append(userRow(user));
  $("first-steps").hidden = users.length > 1;  // the admin alone: a new appliance
}

// ---------- audit log ----------

async function loadAudit() {
  const entries = await api("/audit");
  const body = clear($("audit-body"));
  for (const entry of entries) {
    body.append(el("tr", {attrs: {"data-action": entry.action}},
      el("td", {text: formatTime(entry.at)}), el("td", {text: entry.actor}), el("td", {text: entry.detail})));
  }
  $("audit-empty").hidden = entries.length > 0;
}

// ---------- HTTPS certificate ----------

function showTls(status) {
  const cert = status.certificate;
  if (!status.https || !cert) {
    $("tls-summary").textContent = "This appliance serves plain HTTP only (HTTPS is off in its configuration, or it runs as a demo).";
    return;
  }
  $("tls-summary").textContent = cert.self_made
    ? "HTTPS uses the certificate the appliance made for itself. Browsers warn about it until it is trusted; check its fingerprint."
    : "HTTPS uses the school's certificate installed here.";
  // Groups of four bytes that wrap only between groups, as on the setup page.
  const bytes = cert.fingerprint_sha256.split(":");
  const groups = [];
  for (let i = 0; i < bytes.length; i += 4) groups.push(bytes.slice(i, i + 4).join(":") + (i + 4 < bytes.length ? ":" : ""));
  $("tls-fingerprint").replaceChildren(...groups.map((g) => el("span", {class: "fingerprint-group", text: g})));
  $("tls-subject").textContent = cert.subject;
  $("tls-names").textContent = cert.names.join(", ") || "none";
  $("tls-until").textContent = formatTime(cert.not_after);
  $("tls-details").hidden = false;
  $("tls-install").hidden = false;
  $("tls-revert").hidden = cert.self_made;
}

async function loadTls() {
  try {
    showTls(await api("/tls"));
  } catch (failure) {
    $("tls-summary").textContent = `Could not read the certificate: ${failure.message}`;
  }
}

async function changeTls(request, okText) {
  const error = $("tls-error"), ok = $("tls-ok");
  error.hidden = true;
  ok.hidden = true;
  try {
    showTls(await request());
    ok.textContent = okText;
    ok.hidden = false;
    await loadAudit();
    return true;
  } catch (failure) {
    error.textContent = failure.message;
    error.hidden = false;
    return false;
  }
}

async function installTls(event) {
  event.preventDefault();
  const certificate = $("tls-certificate").value.trim(), key = $("tls-key").value.trim();
  if (!certificate || !key) {
    $("tls-error").textContent = "Paste both the certificate chain and the private key.";
    $("tls-error").hidden = false;
    return;
  }
  const button = $("tls-submit");
  button.disabled = true;
  const done = await changeTls(() => api("/tls/certificate", {method: "PUT", body: {certificate, key}}),
    "Installed. Browsers use it from their next connection; reload the page to see it.");
  if (done) event.target.reset();
  button.disabled = false;
}

async function addUser(event) {
  event.preventDefault();
  const error = $("add-user-error"), ok = $("add-user-ok");
  error.hidden = true;
  ok.hidden = true;
  const username = $("new-username").value.trim();
  const role = $("new-role").value;
  const password = $("new-password").value;
  const problem = !username ? "Enter a username." : passwordProblem(password, $("new-password2").value);
  if (problem) {
    error.textContent = problem;
    error.hidden = false;
    return;
  }
  const button = $("add-user-button");
  button.disabled = true;
  try {
    await api("/users", {method: "POST", body: {username, role, password}});
    event.target.reset();
    ok.textContent = `Added ${username} (${role}). They can log in now.`;
    ok.hidden = false;
    await Promise.all([loadUsers(), loadAudit()]);
  } catch (failure) {
    error.textContent = failure.message;
    error.hidden = false;
  } finally {
    button.disabled = false;
  }
}

// ---------- export ----------

let exporting = false;

function exportResult(kind, ...children) {
  const box = clear($("export-result"));
  box.className = `export-result ${kind}`;
  box.append(...children);
  box.hidden = false;
}

async function exportTo(mount, button) {
  exporting = true;
  for (const other of document.querySelectorAll("#usb-list button")) other.disabled = true;
  exportResult("busy", el("span", {class: "spinner", attrs: {"aria-hidden": "true"}}),
    el("span", {text: `Writing to ${mount} and reading it back… do not remove the stick.`}));
  try {
    const done = await api("/export/usb", {method: "POST", body: {mount}});
    exportResult("done", el("strong", {text: `✓ ${done.message}`}),
      el("p", {text: `Folder: ${done.folder} (${done.files.length} file${done.files.length === 1 ? "" : "s"})`}));
  } catch (failure) {
    exportResult("failed", el("strong", {text: "✗ The export did not finish. "}),
      el("span", {text: failure.message}),
      el("p", {text: "Nothing half-written is left behind. Free space on the stick or try another one."}));
  } finally {
    exporting = false;
    button.disabled = false;
    loadUsb();
  }
}

async function loadUsb() {
  if (exporting) return;  // the list would re-enable buttons mid-export
  let status;
  try {
    status = await api("/export/usb");
  } catch (failure) {
    $("usb-summary").textContent = `Could not look for USB sticks: ${failure.message}`;
    return;
  }
  $("usb-formats").textContent = status.ntfs
    ? "Sticks formatted FAT32, exFAT or NTFS work."
    : "Sticks formatted FAT32 or exFAT work. NTFS sticks (common from Windows) are not read here: Debian's " +
      "ntfs-3g is not installed (the installer adds it where apt offers it). Format the stick as exFAT instead.";
  const list = clear($("usb-list"));
  $("usb-summary").textContent = status.mounts.length
    ? `${status.mounts.length} USB stick${status.mounts.length === 1 ? "" : "s"} found:`
    : `No USB stick found (looking under ${status.root}).`;
  for (const mount of status.mounts) {
    const name = mount.split("/").filter(Boolean).pop();
    const button = el("button", {class: "button primary", text: `Export to ${name}`, attrs: {type: "button"}});
    button.addEventListener("click", () => exportTo(mount, button));
    list.append(el("li", {class: "usb-stick"}, el("span", {class: "usb-name", text: mount}), button));
  }
}

// ---------- cloud sync ----------

const SYNC_STATES = {
  off: "Off (no target set up)", misconfigured: "Not working: the configuration is wrong",
  paused: "Paused by an admin", idle: "On · everything delivered", uploading: "On · uploading",
  retrying: "On · the target is not answering; retrying", stopped: "Stopped: needs an admin",
  waiting_for_clock: "On · waiting for the clock to be set (NTP)", waiting_for_claim: "On · waiting for setup",
};

function syncRows(s) {
  const pending = s.pending + s.pending_files
    ? `${s.pending} events, ${s.pending_files} files` + (s.pending_since ? ` pending since ${formatTime(s.pending_since)}` : "")
    : "nothing";
  const rows = [
    ["state", "State", SYNC_STATES[s.state] || s.state, ["stopped", "misconfigured", "retrying"].includes(s.state)],
    ["target", "Target", s.target || "none", false],
    ["pending", "Pending", pending, s.state === "retrying" && Boolean(s.pending_since)],
    ["delivered", "Delivered", `${s.delivered} events, ${s.delivered_files} files`, false],
    ["last-success", "Last delivery", s.last_success ? formatTime(s.last_success) : "never", false],
    ["encryption", "Encryption", s.encrypted ? "on (age)" : "off", false],
    ["clock", "Clock", s.clock_synchronised ? "set by NTP" : "not synchronised (events keep their order by sequence number)", !s.clock_synchronised],
    ["appliance-id", "Appliance id", s.appliance_id, false],
  ];
  if (s.last_error) rows.splice(4, 0, ["last-error", "Last error", s.last_error, true]);
  return rows;
}

let syncing = false;
let syncState = null;

function showSync(s) {
  syncState = s;
  const list = clear($("sync-list"));
  for (const [key, label, value, bad] of syncRows(s)) {
    list.append(el("div", {class: `stat${bad ? " bad" : ""}`, attrs: {"data-stat": key}},
      el("dt", {text: label}), el("dd", {text: value})));
  }
  const alert = $("sync-alert");
  alert.hidden = !s.alert;
  alert.textContent = s.alert ? `Cloud sync needs you: ${s.alert}` : "";
  const toggle = $("sync-toggle");
  toggle.hidden = !s.configured;
  toggle.textContent = s.enabled ? "Turn sync off" : "Turn sync on";
  toggle.disabled = syncing;
  const now = $("sync-now");
  now.hidden = !s.configured || !s.enabled;
  now.disabled = syncing;
  $("sync-public-key").textContent = s.public_key || "Not made yet.";
  $("sync-key-link").hidden = !s.public_key;
  $("sync-updated").textContent = `Updated ${new Date().toLocaleTimeString()}`;
  syncSettingsSeen(s);
}

async function loadSync() {
  if (syncing) return;
  try {
    showSync(await api("/sync"));
  } catch (failure) {
    $("sync-updated").textContent = `Could not read the sync state: ${failure.message}`;
  }
}

async function syncAction(request, done) {
  syncing = true;
  $("sync-toggle").disabled = $("sync-now").disabled = true;
  const result = $("sync-result");
  result.textContent = "Working…";  // a second "Sync now" must not leave the first one's answer on show
  result.hidden = false;
  try {
    const state = await request();
    syncing = false;
    showSync(state);
    result.textContent = done(state);
  } catch (failure) {
    syncing = false;
    result.textContent = `Could not do that: ${failure.message}`;
    loadSync();
  }
  result.hidden = false;
}

function every(ms, job) {
  job();
  setInterval(() => { if (!document.hidden) job(); }, ms);
}

if (main.dataset.allowed) {
  $("add-user-form").addEventListener("submit", addUser);
  $("usb-refresh").addEventListener("click", loadUsb);
  every(STATUS_EVERY_MS, loadStatus);
  every(USB_EVERY_MS, loadUsb);
  every(STATUS_EVERY_MS, loadSync);
  $("sync-toggle").addEventListener("click", () => syncAction(
    () => api("/sync", {method: "PATCH", body: {enabled: !syncState.enabled}}),
    (s) => s.enabled ? "Cloud sync is on." : "Cloud sync is off: nothing leaves the appliance until you turn it on again."));
  $("sync-now").addEventListener("click", () => syncAction(
    () => api("/sync/now", {method: "POST"}),
    (s) => s.pending + s.pending_files ? `Not everything was delivered: ${s.last_error || "try again later"}.`
      : "Everything is delivered."));
  loadUsers().catch((failure) => toast(`Could not load the accounts: ${failure.message}`));
  loadAudit().catch((failure) => toast(`Could not load the audit log: ${failure.message}`));
  $("tls-form").addEventListener("submit", installTls);
  $("tls-revert").addEventListener("click", () => changeTls(() => api("/tls/certificate", {method: "DELETE"}),
    "The appliance's own certificate is back."));
  loadTls();
  wireBackups();
  wirePrivacy();
  wireSyncSettings(showSync);
}
