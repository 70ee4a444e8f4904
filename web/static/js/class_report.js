// A class across sessions: the gradebook (row per student, column per session) and the server's trend charts.
// The charts arrive as SVG text inside JSON; they are shown through <img src="data:..."> so that nothing in
// them can ever run or restyle the page, whatever a question's text contained.
import {api, wireLogout} from "./api.js";
import {$, clear, el, formatTime, toast} from "./dom.js";
import {wireCsvChoice} from "./export_choices.js";
import {setMathText} from "./math.js";
import {renderSkills} from "./skills_grid.js";

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

// The hardest questions as HTML bars rather than the server's SVG: a label can then show its maths drawn by
// KaTeX (an SVG shown as an image cannot). A question asked again is one bar (the server counts it once).
function hardestBars(difficulty) {
  const list = el("ol", {class: "hardest-bars", attrs: {"aria-label": "Hardest questions (% correct)"}});
  for (const item of difficulty) {
    const label = el("span", {class: "hardest-label"});
    setMathText(label, item.text);
    const fill = el("span", {class: "bar-fill"});
    fill.style.width = `${item.percent_correct}%`;  // the CSSOM is allowed under the strict CSP
    const again = item.rounds > 1 ? `, asked ${item.rounds} times` : "";
    list.append(el("li", {}, label, el("span", {class: "bar-track", attrs: {"aria-hidden": "true"}}, fill),
      el("span", {class: "hardest-value", text: `${item.percent_correct}% right (${item.answered} answers${again})`})));
  }
  if (!difficulty.length) list.append(el("li", {text: "No graded answers yet."}));
  return list;
}

function renderTrends(trends) {
  $("difficulty-chart").prepend(hardestBars(trends.difficulty.slice(0, 10)));
  $("participation-chart").prepend(svgImage(trends.charts.participation, "Participation per session"));
}

const REASON_WORDS = {low_share: "under 70% right", distractor_beats_key: "a wrong answer beat the right one"};

function renderReview(review) {
  const list = clear($("review-list"));
  for (const item of review.questions) {
    const text = el("span", {class: "review-text"});
    setMathText(text, item.text);
    const when = item.due ? "due now" : `due ${new Date(item.due_at * 1000).toLocaleDateString([], {dateStyle: "medium"})}`;
    list.append(el("li", {}, text, el("span", {class: "review-meta",
      text: ` — ${Math.round(100 * item.share_right)}% right last time; ${item.reasons.map((r) => REASON_WORDS[r]).join(", ")}; `
        + `asked in ${item.times_asked} lesson${item.times_asked === 1 ? "" : "s"}; ${when}`})));
  }
  if (!review.questions.length) list.append(el("li", {text: "Nothing to bring back: no hard questions yet."}));
}

async function load() {
  const [book, trends, info, skills, review] = await Promise.all([api(`/classes/${classId}/gradebook`),
    api(`/classes/${classId}/trends`), api(`/classes/${classId}`), api(`/classes/${classId}/skills`),
    api(`/classes/${classId}/review`)]);
  $("oneroster-link").hidden = !info.sourced_id;  // results go back only to the system the class came from
  renderGradebook(book);
  renderTrends(trends);
  renderReview(review);
  const hide = $("skills-hide-names");
  renderSkills(skills, hide.checked);
  hide.addEventListener("change", () => renderSkills(skills, hide.checked));
}

load().catch((failure) => {
  $("class-name").textContent = "Could not load this class";
  toast(failure.message);
});
