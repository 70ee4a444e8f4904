// One student across every session of their class: score out of the graded questions, how many answered, %.
// Made to be printed for a parents' evening (admin.css hides the navigation and buttons on paper).
import {api, wireLogout} from "./api.js";
import {$, clear, el, formatTime, toast} from "./dom.js";

const studentId = Number($("main").dataset.studentId);

wireLogout();
$("print-button").addEventListener("click", () => window.print());

function row(s) {
  const absent = s.answered === 0;
  return el("tr", {class: absent ? "absent-row" : ""},
    el("td", {text: formatTime(s.created_at)}),
    el("td", {}, el("a", {text: s.title, attrs: {href: `/results/${s.session_id}`}})),
    el("td", {class: "score-cell", text: absent ? "absent" : s.graded ? `${s.score} / ${s.graded}` : "–"}),
    el("td", {text: `${s.answered} of ${s.questions}`}),
    el("td", {class: "percent", text: absent || s.percent === null ? "–" : `${s.percent}%`}));
}

function summary(sessions) {
  const present = sessions.filter((s) => s.answered > 0);
  const graded = present.reduce((n, s) => n + s.graded, 0);
  const right = present.reduce((n, s) => n + s.score, 0);
  const overall = graded ? ` · ${right} of ${graded} right overall (${Math.round((100 * right) / graded)}%)` : "";
  return `Took part in ${present.length} of ${sessions.length} sessions${overall}.`;
}

// The history does not say which class; the classes list does, for the "back to the class report" link.
async function linkBack() {
  const classes = await api("/classes");
  const home = classes.find((c) => c.students.some((s) => s.id === studentId));
  if (!home) return;
  const back = $("back-link");
  back.href = `/classes/${home.id}/report`;
  back.textContent = `← ${home.name}`;
  back.hidden = false;
}

async function load() {
  const history = await api(`/students/${studentId}/history`);
  const student = history.student;
  $("student-name").textContent = student.name;
  $("student-card").textContent = `Card ${student.card}`;
  document.title = `Argus · ${student.name}`;
  const sessions = [...history.sessions].sort((a, b) => b.created_at - a.created_at);
  const body = clear($("history-body"));
  for (const s of sessions) body.append(row(s));
  $("history-empty").hidden = sessions.length > 0;
  $("history-table").hidden = sessions.length === 0;
  $("history-summary").textContent = sessions.length ? summary(sessions) : "";
}

load().catch((failure) => {
  $("student-name").textContent = "Could not load this student";
  toast(failure.message);
});
linkBack().catch(() => {});  // only a convenience link; the page works without it
