// After a session: each question's distribution and % correct, each student's answers and score, and where
// a student changed their mind, their first answer beside the final one (it shows who was unsure).
import {api, wireLogout} from "./api.js";
import {$, clear, el, formatTime, letterChip, toast} from "./dom.js";
import {renderDistribution} from "./chart.js";
import {wireCsvChoice} from "./export_choices.js";
import {setMathText} from "./math.js";

const sessionId = Number($("main").dataset.sessionId);
wireCsvChoice("csv-link", `/api/v1/sessions/${sessionId}/results.csv`);
// An anonymous session was run with the screen possibly projected: names stay hidden until asked for.
let showNames = true;
let loaded = null;

wireLogout();
$("print-button").addEventListener("click", () => window.print());

function questionBlock(question) {
  const percent = question.percent_correct === null || question.percent_correct === undefined
    ? (question.correct ? "no answers" : "poll")
    : `${question.percent_correct}% correct`;
  const chart = el("div", {class: "chart"});
  if (question.answered) renderDistribution(chart, question);
  else chart.append(el("p", {class: "hint", text: "Nobody answered this question (it may not have been asked)."}));
  // A question asked more than once counts once in the score; every round says so.
  const rounds = question.rounds > 1
    ? el("p", {class: "hint rounds-note", text: `Asked ${question.rounds} times: the score counts each student's latest answer to it.`})
    : null;
  const text = el("span", {});
  setMathText(text, question.text);
  return el("article", {class: "question-result"},
    el("h3", {}, el("span", {class: "q-number", text: question.label || `Q${question.index + 1}`}), " · ", text),
    el("p", {class: "q-summary"},
      question.correct ? el("span", {}, "Correct: ", letterChip(question.correct)) : el("span", {text: "Poll"}),
      el("span", {text: ` · ${question.answered} answered · ${percent}`})),
    rounds, chart);
}

function answerCell(answer, correct, first, source) {
  if (!answer) return el("td", {class: "no-answer"}, el("span", {text: "–", attrs: {"aria-label": "no answer"}}));
  const cell = el("td", {});
  if (source === "teacher") {
    cell.append(el("span", {class: "hand", text: "✎ ", attrs: {"aria-hidden": "true", title: "Entered by the teacher"}}),
      el("span", {class: "visually-hidden", text: "entered by the teacher:"}));
  }
  if (first && first !== answer) {
    cell.classList.add("changed");
    cell.append(el("s", {class: "first-answer", attrs: {title: `First answer ${first}`}}, letterChip(first, "small")),
      el("span", {class: "visually-hidden", text: `first ${first}, then`}),
      el("span", {class: "arrow", text: "→", attrs: {"aria-hidden": "true"}}));
  }
  cell.append(letterChip(answer));
  if (correct) {
    const right = answer === correct;
    cell.classList.add(right ? "right" : "wrong");
    cell.append(el("span", {class: "verdict", text: right ? " ✓" : " ✗"}),
      el("span", {class: "visually-hidden", text: right ? "right" : "wrong"}));
  }
  return cell;
}

// "Question 3, asked again" → "Q3 again": column heads stay narrow.
function shortLabel(question) {
  if (!question.label) return `Q${question.index + 1}`;
  return question.label.replace(/^Quick question /, "Quick ").replace(/^Question /, "Q").replace(/ of \d+$/, "")
    .replace(/, asked again.*$/, " again");
}

function renderStudents(results) {
  const head = clear($("students-head"));
  head.append(el("th", {text: "Card", attrs: {scope: "col"}}), el("th", {text: "Student", attrs: {scope: "col"}}));
  results.questions.forEach((q) => head.append(el("th", {text: shortLabel(q), attrs: {scope: "col", title: q.text}})));
  // Out of the questions actually asked that have a right answer (the server counts them).
  const gradable = results.students.length ? results.students[0].graded : 0;
  head.append(el("th", {text: "Score", attrs: {scope: "col"}}));
  const body = clear($("students-body"));
  const students = [...results.students].sort((a, b) => a.card - b.card);
  let changes = 0;
  for (const student of students) {
    const row = el("tr", {}, el("td", {class: "card-no-cell", text: student.card}),
      el("th", {attrs: {scope: "row"}}, showNames
        ? el("a", {text: student.name, attrs: {href: `/students/${student.student_id}`, title: "This student's history"}})
        : `Card ${student.card}`));
    if (student.absent) {  // marked absent by the teacher: not a zero, not in any count
      row.append(el("td", {class: "no-answer", text: "absent", attrs: {colspan: results.questions.length + 1}}));
      body.append(row);
      continue;
    }
    student.answers.forEach((answer, i) => {
      const first = student.first_answers ? student.first_answers[i] : null;
      if (answer && first && first !== answer) changes += 1;
      row.append(answerCell(answer, results.questions[i].correct, first, student.sources && student.sources[i]));
    });
    row.append(el("td", {class: "score", text: `${student.score} / ${gradable}`}));
    body.append(row);
  }
  $("changes-hint").hidden = changes === 0;
  $("changes-count").textContent = `${changes} changed answer${changes === 1 ? "" : "s"} in this session.`;
}

async function load() {
  const results = await api(`/sessions/${sessionId}/results`);
  const session = results.session;
  const report = $("report-link");
  report.href = `/classes/${session.class_id}/report`;
  report.textContent = `${session.class.name}: class report`;
  report.hidden = false;
  const when = formatTime(session.created_at);
  $("results-subtitle").textContent = `${session.quiz.title} · ${session.class.name} · ${when}` +
    (session.state === "ended" ? "" : " · still running");
  const list = clear($("question-results"));
  for (const question of results.questions) list.append(questionBlock(question));
  loaded = results;
  showNames = !session.anonymous;
  $("names-button").hidden = !session.anonymous;
  renderStudents(results);
}

$("names-button").addEventListener("click", () => {
  showNames = !showNames;
  $("names-button").textContent = showNames ? "Hide names" : "Show names";
  if (loaded) renderStudents(loaded);
});

load().catch((failure) => toast(`Could not load the results: ${failure.message}`));
