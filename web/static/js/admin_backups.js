// The admin page's backups card: the list (when, what made it, size), "Back up now", download, and restore from
// the list or from a file. A restore swaps the database under everyone; the page reloads afterwards so every
// card shows the restored state (the server keeps this admin's login when the restored file knows them).
import {api} from "./api.js";
import {$, clear, el, formatTime, toast} from "./dom.js";

const KINDS = {
  daily: "Every day (automatic)", manual: "An admin", "before-restore": "Before a restore (automatic)",
  "before-update": "Before an update (automatic)", other: "Unknown",
};
let busy = false;

function size(bytes) {
  if (bytes >= 1048576) return `${(bytes / 1048576).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

function result(kind, ...children) {
  const box = clear($("restore-result"));
  box.className = `export-result ${kind}`;
  box.append(...children);
  box.hidden = false;
}

function setBusy(value) {
  busy = value;
  for (const button of document.querySelectorAll("#backups-table button, #backup-now, #restore-upload")) {
    button.disabled = value;
  }
}

async function restore(request, what) {
  if (!confirm(`Restore ${what}?\n\nEverything on the appliance goes back to that moment. The current state is ` +
               "backed up first. Live screens reconnect by themselves.")) return;
  setBusy(true);
  result("busy", el("span", {class: "spinner", attrs: {"aria-hidden": "true"}}),
    el("span", {text: `Checking and restoring ${what}…`}));
  try {
    const done = await request();
    result("done", el("strong", {text: `✓ Restored ${done.restored}.`}),
      el("p", {text: `The state before the restore is kept as the backup ${done.backup_before}. ` +
        (done.login_kept ? "Reloading the page…" : "Log in again with an account from the restored backup.")}));
    setTimeout(() => location.reload(), done.login_kept ? 1500 : 4000);
  } catch (failure) {
    result("failed", el("strong", {text: "✗ Not restored. "}), el("span", {text: failure.message}),
      el("p", {text: "Nothing was changed."}));
    setBusy(false);
  }
}

function row(backup) {
  const download = el("a", {class: "button small", text: "Download",
    attrs: {href: `/api/v1/backups/${encodeURIComponent(backup.name)}`, download: backup.name,
      "aria-label": `Download the backup of ${formatTime(backup.created_at)}`}});
  const put = el("button", {class: "button small danger", text: "Restore",
    attrs: {type: "button", "aria-label": `Restore the backup of ${formatTime(backup.created_at)}`}});
  put.disabled = busy;
  put.addEventListener("click", () => restore(
    () => api("/backups/restore", {method: "POST", body: {name: backup.name}}),
    `the backup of ${formatTime(backup.created_at)}`));
  return el("tr", {attrs: {"data-backup": backup.name, "data-kind": backup.kind}},
    el("th", {text: formatTime(backup.created_at), attrs: {scope: "row"}}),
    el("td", {text: KINDS[backup.kind] || backup.kind}),
    el("td", {text: size(backup.bytes)}),
    el("td", {class: "actions"}, download, put));
}

export async function loadBackups() {
  let listed;
  try {
    listed = await api("/backups");
  } catch (failure) {
    $("backups-summary").textContent = `Could not list the backups: ${failure.message}`;
    return;
  }
  const body = clear($("backups-body"));
  for (const backup of listed.backups) body.append(row(backup));
  $("backups-summary").textContent = listed.backups.length
    ? `${listed.backups.length} kept · a new one every ${listed.every_hours} h, the newest ${listed.keep} of each kind kept`
    : "No backup yet.";
}

async function backupNow() {
  setBusy(true);
  try {
    const made = await api("/backups", {method: "POST"});
    toast(`Backup made: ${made.name} (${size(made.bytes)}).`);
    await loadBackups();
  } catch (failure) {
    toast(`Could not make a backup: ${failure.message}`);
  } finally {
    setBusy(false);
  }
}

function restoreFile(event) {
  event.preventDefault();
  const file = $("restore-file").files[0];
  if (!file) {
    result("failed", el("strong", {text: "Choose a backup file first."}));
    $("restore-file").focus();
    return;
  }
  restore(() => api("/backups/restore", {method: "POST", file, type: "application/octet-stream"}),
    `the file ${file.name}`);
}

export function wireBackups() {
  $("backup-now").addEventListener("click", backupNow);
  $("restore-form").addEventListener("submit", restoreFile);
  loadBackups();
}
