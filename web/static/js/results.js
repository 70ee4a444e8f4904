// After a session: each question's distribution and % correct, each student's answers and score, and where
// a student changed their mind, their first answer beside the final one (it shows who was unsure).
import {api, wireLogout} from "./api.js";
import {$, clear, el, formatTime, letterChip, toast} from "./dom.js";
import {renderDistribution} from "./chart.js";
import {wireCsvChoice} from "./export_choices.js";
import {setMathText} from "./math.js";
import {renderItemAnalysis} from "./item_analysis.js";

const sessionId = Number($("main").dataset.sessionId);
wireCsvChoice("csv-link", `/api/v1/sessions/${sessionId}/results.csv`);
// An anonymous session was run with the screen possibly projected: names stay hidden until asked for.
let showNames = true;
let loaded = null;

wireLogout();
$("print-button").addEventListener("click", () => window.print());

function percentWords(question) {
  return question.percent_correct === null || question.percent_correct === undefined
    ? (question.correct ? "no answers" : "poll")
    : `${question.percent_correct}% correct`;
}

function distributionOf(question, round) {
  const chart = el("div", {class: "chart"});
  if (round.answered) renderDistribution(chart, {options: question.options, distribution: round.distribution, correct: question.correct});
  else chart.append(el("p", {class: "hint", text: "Nobody answered this question (it may not have been asked)."}));
  return chart;
}

// One question, one item: a question asked again shows the answers that count (each student's latest, as in
// the score), then each round side by side.
function itemBlock(item) {
  const text = el("span", {});
  setMathText(text, item.text);
  const block = el("article", {class: "question-result"},
    el("h3", {}, el("span", {class: "q-number", text: item.label || `Q${item.index + 1}`}), " · ", text),
    el("p", {class: "q-summary"},
      item.correct ? el("span", {}, "Correct: ", letterChip(item.correct)) : el("span", {text: "Poll"}),
      el("span", {text: ` · ${item.answered} answered · ${percentWords(item)}`})),
    distributionOf(item, item));
  if (item.rounds.length > 1) {
    block.append(el("p", {class: "hint rounds-note",
      text: `Asked ${item.rounds.length} times: above, each student's latest answer (the one the score counts); below, each round.`}));
    const rounds = el("div", {class: "rounds-side"});
    for (const round of item.rounds) {
      rounds.append(el("section", {class: "round", attrs: {"aria-label": `Round ${round.round}`}},
        el("h4", {text: `Round ${round.round} · ${round.answered} answered · ${percentWords({...round, correct: item.correct})}`}),
        distributionOf(item, round)));
    }
    block.append(rounds);
  }
  return block;
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

// "Question 3 of 4" → "Q3": column heads stay narrow.
function shortLabel(item) {
  if (!item.label) return `Q${item.index + 1}`;
  return item.label.replace(/^Quick question /, "Quick ").replace(/^Question /, "Q").replace(/ of \d+$/, "");
}

function renderStudents(results) {
  const head = clear($("students-head"));
  head.append(el("th", {text: "Card", attrs: {scope: "col"}}), el("th", {text: "Student", attrs: {scope: "col"}}));
  results.items.forEach((q) => head.append(el("th", {text: shortLabel(q), attrs: {scope: "col", title: q.text}})));
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
      row.append(el("td", {class: "no-answer", text: "absent", attrs: {colspan: results.items.length + 1}}));
      body.append(row);
      continue;
    }
    // One column per question however often asked: the answer that counts, after the first one given.
    student.items.forEach(({answer, first, source}, i) => {
      if (answer && first && first !== answer) changes += 1;
      row.append(answerCell(answer, results.items[i].correct, first, source));
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
  for (const item of results.items) list.append(itemBlock(item));
  const labels = new Map(results.items.map((item) => [item.index, item.label || `Q${item.index + 1}`]));
  renderItemAnalysis($("item-analysis"), await api(`/sessions/${sessionId}/item-analysis`),
    (index) => labels.get(index) || `Q${index + 1}`);
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
