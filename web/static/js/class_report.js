// A class across sessions: the gradebook (row per student, column per session) and the server's trend charts.
// The charts arrive as SVG text inside JSON; they are shown through <img src="data:..."> so that nothing in
// them can ever run or restyle the page, whatever a question's text contained.
import {api, wireLogout} from "./api.js";
import {$, clear, el, formatTime, toast} from "./dom.js";
import {wireCsvChoice} from "./export_choices.js";

const classId = Number($("main").dataset.classId);

wireLogout();
$("print-button").addEventListener("click", () => window.print());
wireCsvChoice("csv-link", `/api/v1/classes/${classId}/gradebook.csv`);

// Parse first: only a well-formed document whose root is <svg> is shown, re-serialised from the parse.
function svgImage(svgText, fallbackLabel) {
  const doc = new DOMParser().parseFromString(String(svgText), "image/svg+xml");
  const root = doc.documentElement;
  if (!root || root.nodeName !== "svg" || doc.getElementsByTagName("parsererror").length) {
    return el("p", {class: "hint", text: "This chart could not be drawn."});
  }
  const label = root.getAttribute("aria-label") || fallbackLabel;
  // An SVG shown as an image cannot use the page's fonts; without this it falls back to a serif.
  root.setAttribute("font-family", "system-ui, 'DejaVu Sans', sans-serif");
  const source = new XMLSerializer().serializeToString(root);
  return el("img", {class: "chart-image", attrs: {
    src: "data:image/svg+xml;charset=utf-8," + encodeURIComponent(source), alt: label}});
}

function sessionHeader(column) {
  const link = el("a", {text: column.title, attrs: {href: `/results/${column.session_id}`}});
  return el("th", {class: "session-col", attrs: {scope: "col"}},
    link, el("span", {class: "col-date", text: formatTime(column.created_at)}));
}

function scoreCell(score, column) {
  if (score === "absent") return el("td", {class: "score-cell marked-absent", text: "absent"});
  if (score === null || score === undefined) {
    return el("td", {class: "absent"}, el("span", {class: "visually-hidden", text: "no answers"}));
  }
  const text = column.graded ? `${score} / ${column.graded}` : "present";
  return el("td", {class: "score-cell", text});
}

// Over the sessions the student took part in, right answers as a share of what could be right.
function average(row, columns) {
  let right = 0, possible = 0;
  row.scores.forEach((score, i) => {
    if (typeof score === "number" && columns[i].graded) {
      right += score;
      possible += columns[i].graded;
    }
  });
  return possible ? `${Math.round((100 * right) / possible)}%` : "–";
}

function renderGradebook(book) {
  $("class-name").textContent = book.class.name;
  document.title = `Argus · ${book.class.name} · report`;
  const head = clear($("gradebook-head"));
  head.append(el("th", {text: "Card", attrs: {scope: "col"}}), el("th", {text: "Student", attrs: {scope: "col"}}));
  for (const column of book.columns) head.append(sessionHeader(column));
  head.append(el("th", {text: "Average", attrs: {scope: "col", title: "Right answers over every session attended"}}));
  const body = clear($("gradebook-body"));
  const rows = [...book.rows].sort((a, b) => a.card - b.card);
  for (const row of rows) {
    const tr = el("tr", {}, el("td", {class: "card-no-cell", text: row.card}),
      el("th", {attrs: {scope: "row"}}, el("a", {text: row.name, attrs: {href: `/students/${row.student_id}`}})));
    row.scores.forEach((score, i) => tr.append(scoreCell(score, book.columns[i])));
    tr.append(el("td", {class: "average", text: average(row, book.columns)}));
    body.append(tr);
  }
  $("gradebook-empty").hidden = book.columns.length > 0;
}

function renderTrends(trends) {
  $("difficulty-chart").prepend(svgImage(trends.charts.difficulty, "Hardest questions"));
  $("participation-chart").prepend(svgImage(trends.charts.participation, "Participation per session"));
  const list = clear($("difficulty-list"));
  for (const item of trends.difficulty.slice(0, 10)) {
    list.append(el("li", {text: `${item.text} — ${item.percent_correct}% right (${item.answered} answers)`}));
  }
  if (!trends.difficulty.length) list.append(el("li", {text: "No graded answers yet."}));
}

async function load() {
  const [book, trends, info] = await Promise.all([api(`/classes/${classId}/gradebook`),
    api(`/classes/${classId}/trends`), api(`/classes/${classId}`)]);
  $("oneroster-link").hidden = !info.sourced_id;  // results go back only to the system the class came from
  renderGradebook(book);
  renderTrends(trends);
}

load().catch((failure) => {
  $("class-name").textContent = "Could not load this class";
  toast(failure.message);
});
