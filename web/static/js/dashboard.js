// Teacher home: start a session (class + quiz, or quick questions only; optionally anonymous), return to a
// running one, open past results and class reports.
import {api, wireLogout} from "./api.js";
import {$, clear, el, formatTime, toast} from "./dom.js";
import {cameraSummary} from "./camera.js";

const QUICK_ONLY = "quick";  // the quiz choice that starts a session of questions typed in during the lesson
const STATE_WORDS = {ready: "Ready", open: "Question open", paused: "Paused", closed: "Closed",
  revealed: "Revealed", ended: "Ended"};

wireLogout();

function fillSelect(select, items, label) {
  clear(select);
  if (!items.length) {
    select.append(el("option", {text: "None yet", attrs: {value: ""}}));
    return;
  }
  for (const item of items) select.append(el("option", {text: label(item), attrs: {value: item.id}}));
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

async function loadChoices() {
  const [classes, quizzes] = await Promise.all([api("/classes"), api("/quizzes")]);
  fillSelect($("class-select"), classes, (c) => `${c.name} (${plural(c.students.length, "student")})`);
  fillSelect($("quiz-select"), quizzes, (q) => `${q.title} (${plural(q.question_count, "question")})`);
  const quizSelect = $("quiz-select");
  if (!quizzes.length) clear(quizSelect);
  quizSelect.append(el("option", {text: "Quick questions only (type them during the lesson)", attrs: {value: QUICK_ONLY}}));
  // "Start a lesson with this quiz" in the library links here with ?quiz=ID.
  const wanted = new URLSearchParams(location.search).get("quiz");
  if (wanted && quizzes.some((q) => String(q.id) === wanted)) {
    quizSelect.value = wanted;
    $("class-select").focus();
  }
  $("class-select").addEventListener("change", showReviewDue);
  showReviewDue();
  const ready = classes.length > 0;
  $("start-button").disabled = !ready;
  $("start-hint").textContent = ready ? "" : "You need a class before you can start a session.";
  renderReportLinks(classes);
}

// How many review questions the chosen class has due now (the number field says how many to add).
async function showReviewDue() {
  const classId = Number($("class-select").value);
  const hint = $("review-hint");
  if (!classId) return;
  try {
    const found = await api(`/classes/${classId}/review`);
    hint.textContent = found.due
      ? `${plural(found.due, "question")} from this class's past lessons ${found.due === 1 ? "is" : "are"} due for review `
        + "(hard ones, brought back 1 day, 1 week and 1 month after they were last asked); they are added after the quiz's own."
      : "No review questions are due for this class now: hard questions come back 1 day, 1 week and 1 month after they were last asked.";
  } catch (failure) {
    hint.textContent = `Review questions could not be checked: ${failure.message}`;
  }
}

function renderReportLinks(classes) {
  const links = clear($("report-links"));
  classes.forEach((c, i) => {
    if (i) links.append(", ");
    links.append(el("a", {text: c.name, attrs: {href: `/classes/${c.id}/report`}}));
  });
  $("reports-line").hidden = classes.length === 0;
}

function sessionLink(session) {
  return session.state === "ended" ? `/results/${session.id}` : `/session/${session.id}`;
}

let running = null;  // the session still in progress, if any: starting another one ends it

async function loadSessions() {
  const sessions = await api("/sessions");
  running = sessions.find((s) => s.state !== "ended") || null;
  $("running").hidden = !running;
  if (running) {
    $("running-title").textContent = `${running.quiz_title} with ${running.class_name}`;
    $("running-link").href = `/session/${running.id}`;
  }
  const body = clear($("sessions-body"));
  $("sessions-table").hidden = sessions.length === 0;
  $("sessions-empty").hidden = sessions.length > 0;
  for (const s of sessions) {
    const link = el("a", {text: s.state === "ended" ? "Results" : "Continue", attrs: {href: sessionLink(s)}});
    body.append(el("tr", {},
      el("td", {text: formatTime(s.created_at)}),
      el("td", {text: s.class_name}),
      el("td", {text: s.quiz_title}),
      el("td", {text: STATE_WORDS[s.state] || s.state}),
      el("td", {}, link)));
  }
}

async function loadCamera() {
  const line = $("camera-line");
  try {
    const status = await api("/health");
    line.textContent = cameraSummary(status.camera);
    line.className = `banner ${status.camera.ok ? "ok" : "danger"}`;
  } catch (failure) {
    line.textContent = `Camera status unknown: ${failure.message}`;
    line.className = "banner warn";
  }
}

// Another teacher's lesson has the camera: the server refuses (409, naming them); an admin may take it over,
// which ends that lesson and tells its teacher who did. Returns null when the admin decides not to.
async function startSession(body) {
  try {
    return await api("/sessions", {method: "POST", body});
  } catch (failure) {
    const running = failure.status === 409 && failure.data && failure.data.running;
    if (!running || !running.may_take_over) throw failure;
    if (!confirm(`${running.teacher}'s lesson is running. End it for them and start yours? They will see that you ended it.`)) {
      return null;
    }
    return await api("/sessions", {method: "POST", body: {...body, take_over: true}});
  }
}

$("start-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (running && !confirm(`"${running.quiz_title}" with ${running.class_name} is still running. End it and start a new session?`)) {
    return;
  }
  const button = $("start-button");
  button.disabled = true;
  try {
    const quiz = $("quiz-select").value;
    const body = {class_id: Number($("class-select").value), anonymous: $("anonymous").checked,
      review: Math.max(0, Math.min(20, Math.trunc(Number($("review-count").value) || 0)))};
    if (quiz !== QUICK_ONLY) body.quiz_id = Number(quiz);
    const session = await startSession(body);
    if (session) location.assign(`/session/${session.id}`);
    else button.disabled = false;
  } catch (failure) {
    toast(`Could not start the session: ${failure.message}`);
    button.disabled = false;
  }
});

Promise.all([loadChoices(), loadSessions()]).catch((failure) => toast(failure.message));
loadCamera();
setInterval(loadCamera, 10000);
