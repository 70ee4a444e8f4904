// The camera check: a live preview with read cards outlined, who in the class has not been seen, the cards
// read now with their size in pixels, and how far away a card can be read with this camera.
// Everything refreshes about once a second, and stops while the tab is hidden (a Pi has little CPU to spare).
import {api, wireLogout} from "./api.js";
import {$, clear, el, letterChip, toast} from "./dom.js";
import {cameraProblem} from "./camera.js";

const REFRESH_MS = 1000;
const CLASS_KEY = "argus.cameraCheckClass";

wireLogout();
const preview = $("preview");
let previewTimer = null;
let checkTimer = null;

// ---------- preview: the next picture is asked for only once the last one arrived ----------

function schedulePreview() {
  clearTimeout(previewTimer);
  if (!document.hidden) previewTimer = setTimeout(loadPreview, REFRESH_MS);
}

function loadPreview() {
  preview.src = `/api/v1/camera/preview.jpg?t=${Date.now()}`;  // a new URL each time defeats any cache
}

preview.addEventListener("load", () => {
  $("preview-note").textContent = "";
  schedulePreview();
});
preview.addEventListener("error", () => {
  $("preview-note").textContent = "No picture from the camera right now; trying again…";
  schedulePreview();
});

// ---------- the check ----------

function metres(value) {
  return typeof value === "number" ? `~${value.toFixed(1)} m` : "?";
}

function renderStatus(camera) {
  const banner = $("camera-status");
  const problem = cameraProblem(camera);
  banner.className = `banner ${problem ? "danger" : "ok"}`;
  banner.setAttribute("role", problem ? "alert" : "status");
  banner.textContent = problem ? `${problem}. Check the cable and power; Argus keeps trying to reconnect.`
    : `Camera OK (${camera.source}, ${camera.fps.toFixed(1)} frames/s)`;
}

function renderMissing(check, classChosen) {
  const list = clear($("missing-list"));
  for (const s of check.not_seen) {
    list.append(el("li", {}, el("span", {class: "card-no", text: s.card}), el("span", {text: s.name || ""})));
  }
  $("missing-count").textContent = classChosen ? String(check.not_seen.length) : "–";
  $("all-seen").hidden = !classChosen || check.not_seen.length > 0;
}

function renderSeen(check) {
  const body = clear($("seen-body"));
  const small = check.readable_px * 1.25;  // close to the limit: a little farther and it would not be read
  for (const s of check.seen) {
    const size = el("td", {class: s.px < small ? "small-card" : "", text: `${Math.round(s.px)} px`});
    if (s.px < small) size.append(el("span", {class: "hint", text: " (near the limit)"}));
    body.append(el("tr", {}, el("td", {class: "card-no-cell", text: s.card}), el("td", {text: s.name || "–"}),
      el("td", {}, letterChip(s.answer)), size));
  }
  $("seen-count").textContent = String(check.seen.length);
  $("smallest").textContent = check.smallest_px === null
    ? "No card in the picture right now."
    : `Smallest card read: ${Math.round(check.smallest_px)} px across (cards need about ${check.readable_px} px).`;
  const distance = check.readable_distance_m;
  $("distance").textContent = `With this camera, cards of 148 mm are readable up to ${metres(distance["148mm"])}, ` +
    `100 mm up to ${metres(distance["100mm"])} away.`;
}

// The focus meter's scale is the sharpest seen so far on this page: turning the lens fills it up.
let sharpest = 0;

function renderVerdict(check) {
  const line = $("verdict");
  line.textContent = check.verdict.text;
  line.className = `verdict-line verdict-${check.verdict.level}`;
  const meter = $("focus-meter");
  if (typeof check.sharpness === "number") {
    sharpest = Math.max(sharpest, check.sharpness);
    meter.max = Math.max(1, sharpest);
    meter.value = check.sharpness;
    $("focus-value").textContent = `${Math.round(check.sharpness)} (best ${Math.round(sharpest)})`;
  } else {
    meter.value = 0;
    $("focus-value").textContent = "no card to measure";
  }
  $("raise-all").hidden = !check.demo;
}

async function runCheck() {
  clearTimeout(checkTimer);
  const classId = $("class-select").value;
  try {
    const check = await api(`/camera/check${classId ? `?class_id=${encodeURIComponent(classId)}` : ""}`);
    renderStatus(check.camera);
    renderVerdict(check);
    renderMissing(check, Boolean(classId));
    renderSeen(check);
  } catch (failure) {
    const banner = $("camera-status");
    banner.className = "banner warn";
    banner.textContent = `Could not check the camera: ${failure.message}`;
  }
  if (!document.hidden) checkTimer = setTimeout(runCheck, REFRESH_MS);
}

async function loadClasses() {
  const select = $("class-select");
  const classes = await api("/classes");
  clear(select);
  select.append(el("option", {text: classes.length ? "Choose a class…" : "No classes yet", attrs: {value: ""}}));
  for (const c of classes) select.append(el("option", {text: `${c.name} (${c.students.length})`, attrs: {value: c.id}}));
  const remembered = localStorage.getItem(CLASS_KEY);
  const pick = classes.find((c) => String(c.id) === remembered) || (classes.length === 1 ? classes[0] : null);
  if (pick) select.value = String(pick.id);
}

$("zoom-button").addEventListener("click", () => {
  const zoomed = $("preview-frame").classList.toggle("zoomed");
  $("zoom-button").setAttribute("aria-pressed", String(zoomed));
  $("zoom-button").textContent = zoomed ? "Zoom out" : "Zoom in";
});

$("raise-all").addEventListener("click", async () => {
  try {
    const raised = await api("/camera/raise-all", {method: "POST"});
    toast(`The demo class holds up every card for ${raised.seconds} seconds.`);
  } catch (failure) {
    toast(failure.message);
  }
});

$("class-select").addEventListener("change", () => {
  localStorage.setItem(CLASS_KEY, $("class-select").value);
  runCheck();
});

document.addEventListener("visibilitychange", () => {
  if (document.hidden) {
    clearTimeout(previewTimer);
    clearTimeout(checkTimer);
  } else {
    loadPreview();
    runCheck();
  }
});

loadPreview();
loadClasses().catch((failure) => toast(`Could not load the classes: ${failure.message}`)).finally(runCheck);
