// One student across every session of their class: score out of the graded questions, how many answered, %.
// Below, each lesson's questions with the student's answer, the right one and the verdict.
// Made to be printed for a parents' evening (admin.css hides the navigation and buttons on paper).
import {api, wireLogout} from "./api.js";
import {$, clear, el, formatTime, toast} from "./dom.js";
import {setMathText} from "./math.js";

const studentId = Number($("main").dataset.studentId);

wireLogout();
$("print-button").addEventListener("click", () => window.print());

function row(s) {
  const absent = s.absent || s.answered === 0;
  return el("tr", {class: absent ? "absent-row" : ""},
    el("td", {text: formatTime(s.created_at)}),
    el("td", {}, el("a", {text: s.title, attrs: {href: `/results/${s.session_id}`}})),
    el("td", {class: "score-cell", text: absent ? "absent" : s.graded ? `${s.score} / ${s.graded}` : "–"}),
    el("td", {text: `${s.answered} of ${s.questions}`}),
    el("td", {class: "percent", text: absent || s.percent === null ? "–" : `${s.percent}%`}));
}

const VERDICTS = {"right": "right", "wrong": "wrong", "no answer": "no answer", "not scored": "not scored (no right answer)"};

// "B (correct: C)", "C (correct)", "no answer (correct: C)", or just "A" for a poll.
function answerText(a) {
  if (a.correct === null) return a.answer ?? "no answer";
  if (a.answer === null) return `no answer (correct: ${a.correct})`;
  return a.answer === a.correct ? `${a.answer} (correct)` : `${a.answer} (correct: ${a.correct})`;
}

function answerRow(a) {
  const question = el("span", {class: "question-text"});
  setMathText(question, a.text);
  const again = a.rounds > 1 ? el("span", {class: "hint", text: ` · asked ${a.rounds} times, the latest answer counts`}) : null;
  return el("tr", {class: `answer-row result-${a.result.replace(" ", "-")}`},
    el("th", {scope: "row"}, el("span", {class: "eyebrow", text: a.label}), el("br"), question, again),
    el("td", {class: "answer-cell", text: answerText(a)}),
    el("td", {class: "verdict", text: VERDICTS[a.result]}));
}

function answersOf(s) {
  const id = `answers-${s.session_id}`;
  const table = el("table", {class: "table answers-table", attrs: {"aria-labelledby": id}},
    el("thead", {}, el("tr", {}, el("th", {scope: "col", text: "Question"}), el("th", {scope: "col", text: "Answer"}),
      el("th", {scope: "col", text: "Result"}))),
    el("tbody", {}, ...s.answers.map(answerRow)));
  return el("section", {class: "lesson-answers", attrs: {"data-session-id": s.session_id}},
    el("h3", {text: `${s.title} · ${formatTime(s.created_at)}`, attrs: {id}}),
    s.answers.length ? el("div", {class: "table-scroll", attrs: {tabindex: 0, role: "region", "aria-labelledby": id}}, table) : el("p", {class: "hint", text: "No question was asked."}));
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
  clear($("answers-list")).append(...sessions.map(answersOf));
  $("answers-card").hidden = sessions.length === 0;
}

load().catch((failure) => {
  $("student-name").textContent = "Could not load this student";
  toast(failure.message);
});
linkBack().catch(() => {});  // only a convenience link; the page works without it
