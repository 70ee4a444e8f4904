// The classroom display: follows the teacher through public state events only. It never sees a name
// or one student's answer; after reveal it shows the distribution and the correct answer.
import {api} from "./api.js";
import {$, renderOptions, showImage} from "./dom.js";
import {Countdown} from "./countdown.js";
import {connectLive} from "./live.js";
import {renderDistribution} from "./chart.js";

function renderWaiting(session) {
  $("waiting").hidden = false;
  $("question").hidden = true;
  $("answered").hidden = true;
  document.body.classList.add("is-waiting");
  if (session && session.state === "ready") {
    $("waiting-title").textContent = session.quiz_title;
    $("waiting-sub").textContent = `${session.class_name} · get your cards ready`;
  } else {
    $("waiting-title").textContent = "Waiting for the teacher…";
    $("waiting-sub").textContent = "";
  }
}

const STATE_WORDS = {open: "Hold up your card", paused: "Paused", closed: "Closed", revealed: "Answer"};

function renderQuestion(session) {
  document.body.classList.remove("is-waiting");
  $("waiting").hidden = true;
  $("question").hidden = false;
  $("answered").hidden = false;
  const revealed = session.state === "revealed";
  $("question-position").textContent = `Question ${session.question_index + 1} of ${session.question_count}`;
  const pill = $("state-pill");
  pill.textContent = STATE_WORDS[session.state] || "";
  pill.className = `state-pill state-${session.state}`;
  $("question-text").textContent = session.question.text;
  showImage($("question-image"), session.question.image);
  renderOptions($("options"), session.question.options, revealed ? session.correct : null);
  $("answered-count").textContent = String(session.answered);
  $("total-count").textContent = String(session.total);
  const chart = $("chart");
  chart.hidden = !revealed;
  $("options").hidden = revealed;  // the bars repeat the options with their counts
  if (revealed) {
    renderDistribution(chart, {options: session.question.options, distribution: session.distribution,
      correct: session.correct});
  }
}

const countdown = new Countdown($("countdown"));

function render(state) {
  countdown.update(state);
  const session = state.session;
  if (!session || !session.question) renderWaiting(session);
  else renderQuestion(session);
}

async function showStudentUrl() {
  try {
    const link = await api("/public/student-url", {redirectOn401: false});
    $("student-url").textContent = link.url;
  } catch {
    $("student-url").textContent = `${location.origin}/student`;
  }
}

showStudentUrl();
connectLive({
  onEvent(event) {
    if (event.type === "state") render(event.state);
  },
  onConnect() { $("link-status").hidden = true; },
  onDisconnect() { $("link-status").hidden = false; },
});
