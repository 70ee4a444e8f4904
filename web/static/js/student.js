// The student's phone: the current question, and "did the camera read my card?" (yes/no only).
// Nothing here ever shows an answer; the check endpoint does not even know which letter was read.
// Once a student has typed their card number, the page checks again by itself whenever the class's state
// changes (a card was read, a new question opened) until their card is read: no pressing Check each time.
import {api} from "./api.js";
import {$, clear, renderOptions, showImage} from "./dom.js";
import {Countdown} from "./countdown.js";
import {connectLive} from "./live.js";
import {setMathText} from "./math.js";

const HINTS = {
  ready: "The quiz is about to start. Get your card ready.",
  open: "Hold up your card with your answer's letter on top.",
  paused: "Paused. Keep your card ready.",
  closed: "This question is closed.",
  revealed: "Look at the board for the answer.",
};

let lastQuestionKey = null;
let questionOpen = false;
const countdown = new Countdown($("countdown"));
const CARD_KEY = "argus.card";
const RECHECK_MS = 1500;  // at most one automatic check per phone this often: thirty phones share one Pi
let myCard = sessionStorage.getItem(CARD_KEY);
let registeredFor = null;  // the question key this card was read for
let checking = false;
let recheckTimer = null;
let lastCheck = 0;
if (myCard) $("card-input").value = myCard;

function show(text, kind) {
  const result = $("check-result");
  result.textContent = text;
  result.className = `check-result ${kind}`.trim();
}

async function check(card) {
  checking = true;
  lastCheck = Date.now();
  const key = lastQuestionKey;
  try {
    const answer = await api(`/public/check?card=${encodeURIComponent(card)}`, {redirectOn401: false});
    if (answer.in_class === false) {
      show(`Card ${answer.card} is not in this class. Check the number printed on your card.`, "bad");
    } else if (answer.registered) {
      registeredFor = key;
      show(`✓ Registered (card ${answer.card})`, "good");
    } else if (key === null) {
      show(`Card ${answer.card}: no question is open yet.`, "pending");
    } else {
      show(`Not registered yet (card ${answer.card})`, "pending");
    }
  } catch (failure) {
    show(failure.message, "bad");
  } finally {
    checking = false;
  }
}

// Called on every state event: check again soon if this card has not been read for this question.
function scheduleRecheck() {
  if (!myCard || !questionOpen || registeredFor === lastQuestionKey || recheckTimer) return;
  const wait = Math.max(0, RECHECK_MS - (Date.now() - lastCheck));
  recheckTimer = setTimeout(async () => {
    recheckTimer = null;
    if (checking) return scheduleRecheck();
    if (myCard && questionOpen && registeredFor !== lastQuestionKey) await check(myCard);
  }, wait);
}

const PRINTED_RANGE = $("card-range").textContent;  // the appliance's cards, until a lesson names its class's

function render(state) {
  countdown.update(state);
  const session = state.session;
  const range = session && session.card_range;
  $("card-range").textContent = range
    ? `Cards in this class go from ${range[0]} to ${range[1]}. This page updates by itself once your card is read.`
    : PRINTED_RANGE;
  const question = session && session.question;
  $("question-position").textContent = question
    ? (session.label || `Question ${session.question_index + 1} of ${session.question_count}`)
    : (session ? session.quiz_title : "Waiting for the teacher…");
  setMathText($("question-text"), question ? question.text : "");
  showImage($("question-image"), question && question.image);
  if (question) renderOptions($("options"), question.options, null);
  else clear($("options"));
  $("question-hint").textContent = session ? (HINTS[session.state] || "") : "No quiz is running right now.";
  // A new question means an old "✓ Registered" no longer applies.
  const key = question ? `${session.id}:${session.question_index}` : null;
  questionOpen = Boolean(question && session.state === "open");
  if (key !== lastQuestionKey) {
    lastQuestionKey = key;
    registeredFor = null;
    show(myCard && question ? `Not registered yet (card ${myCard})` : "", myCard && question ? "pending" : "");
  }
  scheduleRecheck();
}

$("check-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const card = $("card-input").value.trim();
  if (!/^\d+$/.test(card)) {
    show("Type the number printed on your card.", "bad");
    return;
  }
  const count = Number($("card-input").max);  // the appliance's real card range, from the page
  if (Number(card) < 1 || Number(card) > count) {
    show(`Cards go from 1 to ${count}.`, "bad");
    return;
  }
  myCard = card;
  sessionStorage.setItem(CARD_KEY, card);
  registeredFor = null;
  await check(card);
});

connectLive({
  onEvent(event) {
    if (event.type === "state") render(event.state);
  },
  onConnect() { $("link-status").hidden = true; },
  onDisconnect() { $("link-status").hidden = false; },
});
