// The classroom display: follows the teacher through public state events only. It never sees a name
// or one student's answer; after reveal it shows the distribution and the correct answer, and (when the
// teacher chose it) the class's % correct so far or the team scores: never a student's.
// Everything fits one screen: the stage's font shrinks until the question, its picture and its options fit.
import {api} from "./api.js";
import {$, clear, el, percentText, renderOptions, showImage} from "./dom.js";
import {Countdown} from "./countdown.js";
import {connectLive} from "./live.js";
import {renderDistribution} from "./chart.js";
import {fitToBox} from "./fit.js";
import {setMathText} from "./math.js";

const STATE_WORDS = {open: "Hold up your card", paused: "Paused", closed: "Closed", revealed: "Answer"};
const countdown = new Countdown($("countdown"));
let latest = null;
let shownQuestion = null;  // "session:index:revealed" of what the stage shows

function setRunning(running) {
  document.body.classList.toggle("is-waiting", !running);
  document.body.classList.toggle("is-running", running);
  $("waiting").hidden = running;
  $("question").hidden = !running;
}

function renderWaiting(session) {
  shownQuestion = null;
  setRunning(false);
  if (session && session.state === "ready") {
    $("waiting-title").textContent = session.quiz_title;
    $("waiting-sub").textContent = `${session.class_name} · get your cards ready`;
  } else {
    $("waiting-title").textContent = "Waiting for the teacher…";
    $("waiting-sub").textContent = "";
  }
}

function renderCardGrid(session) {
  const grid = $("card-grid");
  const cards = session.cards_seen;
  grid.hidden = !Array.isArray(cards) || session.state === "revealed";
  const list = clear($("card-grid-list"));
  if (grid.hidden) return;
  for (const card of cards) list.append(el("li", {text: card}));
}

function renderScores(session) {
  const scores = session.scores;
  const box = $("scores");
  box.hidden = !scores;
  const teams = clear($("team-scores"));
  if (!scores) return;
  const questions = `${scores.questions} question${scores.questions === 1 ? "" : "s"}`;
  $("scores-title").textContent = scores.mode === "teams" ? `Team scores after ${questions}`
    : `${percentText(scores.percent)} correct so far`;
  teams.hidden = scores.mode !== "teams";
  if (scores.mode !== "teams") return;
  if (!scores.teams.length) teams.append(el("li", {class: "no-teams", text: "No teams in this class's roster yet."}));
  for (const team of scores.teams) {
    teams.append(el("li", {}, el("span", {class: "team-name", text: team.team}),
      el("strong", {class: "team-percent", text: percentText(team.percent)}),
      el("span", {class: "team-right", text: `${team.right} of ${team.answered} right`})));
  }
}

function renderQuestion(session) {
  setRunning(true);
  const revealed = session.state === "revealed";
  $("question-position").textContent = session.label
    || `Question ${session.question_index + 1} of ${session.question_count}`;
  const pill = $("state-pill");
  pill.textContent = STATE_WORDS[session.state] || "";
  pill.className = `state-pill state-${session.state}`;
  // Text, picture and options change with the question, not with every card read: keep them (and their
  // drawn maths) until then.
  const shown = `${session.id}:${session.question_index}:${revealed}`;
  if (shown !== shownQuestion) {
    shownQuestion = shown;
    setMathText($("question-text"), session.question.text);
    showImage($("question-image"), session.question.image);
    $("picture").hidden = $("question-image").hidden;
    renderOptions($("options"), session.question.options, revealed ? session.correct : null);
  }
  $("answered-count").textContent = String(session.answered);
  $("total-count").textContent = String(session.total);
  const chart = $("chart");
  chart.hidden = !revealed;
  $("options").hidden = revealed;  // the bars repeat the options with their counts
  chart.classList.toggle("rounds-side", Boolean(revealed && session.rounds));
  if (revealed && session.rounds) renderRounds(chart, session);
  else if (revealed) {
    renderDistribution(chart, {options: session.question.options, distribution: session.distribution,
      correct: session.correct});
  }
  renderCardGrid(session);
  renderScores(session);
}

// Peer instruction: a question voted on again shows every round side by side after the reveal (counts only).
function renderRounds(chart, session) {
  clear(chart);
  const last = session.rounds.length;
  for (const round of session.rounds) {
    const bars = el("div", {});
    renderDistribution(bars, {options: session.question.options, distribution: round.distribution,
      correct: session.correct});
    const title = round.round === 1 ? "First vote" : (round.round === last ? "After the discussion" : `Vote ${round.round}`);
    chart.append(el("section", {class: "projector-round", attrs: {"aria-label": title}},
      el("h2", {class: "round-title", text: `${title} · ${round.answered} answered`}), bars));
  }
}

// Beside a picture the options get part of the width. When they only fit there smaller than they would with
// the picture above them (long words, "Pentago/n" squeezed), they go below it: whichever leaves larger text.
function fit() {
  if ($("question").hidden) return;
  const body = $("body");
  body.classList.remove("stacked");
  const beside = fitToBox($("stage"));
  if ($("picture").hidden || beside >= 1) return;
  body.classList.add("stacked");
  if (fitToBox($("stage")) <= beside) {
    body.classList.remove("stacked");
    fitToBox($("stage"));
  }
}

function render(state) {
  latest = state;
  countdown.update(state);
  const session = state.session;
  $("blank").hidden = !(session && session.blank);
  if (!session || !session.question) renderWaiting(session);
  else renderQuestion(session);
  fit();
}

async function showStudentUrl() {
  let url;
  try {
    url = (await api("/public/student-url", {redirectOn401: false})).url;
  } catch {
    url = `${location.origin}/student`;
  }
  // Shown without "http://": "argus.local/student" is what people type.
  $("student-url").textContent = url.replace(/^http:\/\//, "");
}

$("question-image").addEventListener("load", fit);
$("stage").addEventListener("math-rendered", fit);  // a drawn formula has another size than its source
window.addEventListener("resize", () => { if (latest) fit(); });
showStudentUrl();
connectLive({
  onEvent(event) {
    if (event.type === "state") render(event.state);
  },
  onConnect() { $("link-status").hidden = true; },
  onDisconnect() { $("link-status").hidden = false; },
});
