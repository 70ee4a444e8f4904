// The student's phone: the current question, and "did the camera read my card?" (yes/no only).
// Nothing here ever shows an answer; the check endpoint does not even know which letter was read.
import {api} from "./api.js";
import {$, clear, renderOptions, showImage} from "./dom.js";
import {Countdown} from "./countdown.js";
import {connectLive} from "./live.js";

const HINTS = {
  ready: "The quiz is about to start. Get your card ready.",
  open: "Hold up your card with your answer's letter on top.",
  paused: "Paused. Keep your card ready.",
  closed: "This question is closed.",
  revealed: "Look at the board for the answer.",
};

let lastQuestionKey = null;
const countdown = new Countdown($("countdown"));

function render(state) {
  countdown.update(state);
  const session = state.session;
  const question = session && session.question;
  $("question-position").textContent = question
    ? `Question ${session.question_index + 1} of ${session.question_count}`
    : (session ? session.quiz_title : "Waiting for the teacher…");
  $("question-text").textContent = question ? question.text : "";
  showImage($("question-image"), question && question.image);
  if (question) renderOptions($("options"), question.options, null);
  else clear($("options"));
  $("question-hint").textContent = session ? (HINTS[session.state] || "") : "No quiz is running right now.";
  // A new question means an old "✓ Registered" no longer applies.
  const key = question ? `${session.id}:${session.question_index}` : null;
  if (key !== lastQuestionKey) {
    lastQuestionKey = key;
    const result = $("check-result");
    result.textContent = "";
    result.className = "check-result";
  }
}

$("check-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const result = $("check-result");
  const card = $("card-input").value.trim();
  if (!/^\d+$/.test(card)) {
    result.textContent = "Type the number printed on your card.";
    result.className = "check-result bad";
    return;
  }
  try {
    const answer = await api(`/public/check?card=${encodeURIComponent(card)}`, {redirectOn401: false});
    result.textContent = answer.registered ? `✓ Registered (card ${answer.card})` : `Not registered yet (card ${answer.card})`;
    result.className = `check-result ${answer.registered ? "good" : "pending"}`;
  } catch (failure) {
    result.textContent = failure.message;
    result.className = "check-result bad";
  }
});

connectLive({
  onEvent(event) {
    if (event.type === "state") render(event.state);
  },
  onConnect() { $("link-status").hidden = true; },
  onDisconnect() { $("link-status").hidden = false; },
});
