// Live control of one session: teacher actions, the roster filling in from the camera, reveal and chart,
// asking a question again, and quick questions typed in during the lesson.
// Truth comes from GET /sessions/{id}; the websocket then adds `response`, `state` and `camera` events.
// In an anonymous session the roster shows card numbers only: the teacher's screen may be on the projector.
// Which actions are allowed (view.allowed) and what the main button does next (view.actions) come from the
// server, from the pure session rules: this page only draws them.
import {api, wireLogout} from "./api.js";
import {$, clear, el, letterChip, percentText, renderOptions, showImage, toast} from "./dom.js";
import {Countdown} from "./countdown.js";
import {connectLive} from "./live.js";
import {renderDistribution} from "./chart.js";
import {cameraProblem} from "./camera.js";
import {setMathText} from "./math.js";
import {renderPeer} from "./peer.js";
import {renderRoster, wireRoster} from "./lesson_roster.js";

const STATE_WORDS = {ready: "Ready to start", open: "Open: cards are being read", paused: "Paused",
  closed: "Closed", revealed: "Answer revealed", ended: "Session ended"};

const sessionId = Number($("main").dataset.sessionId);
let view = null;            // the session view from the API
let publicState = null;     // the latest public state of this session (counts, distribution after reveal)
const responses = new Map();  // "question:student_id" → newest response
const clearedAt = new Map();  // "question:student_id" → last_changed of a response the teacher cleared
let busy = false;           // an action is in flight: keep buttons off so a double click cannot double-act
const countdown = new Countdown($("countdown"));
const HIDE_NAMES_KEY = "argus.hideNames";
$("hide-names-switch").checked = localStorage.getItem(HIDE_NAMES_KEY) === "1";

wireLogout();
wireRoster({sessionId, view: () => view, answersFor, apply: applyView, hidingNames: () => hidingNames()});

function responseKey(question, studentId) {
  return `${question}:${studentId}`;
}

// Keep whichever copy changed last, so a refetch racing with live events never goes backwards.
function rememberResponse(response) {
  const key = responseKey(response.question, response.student_id);
  const known = responses.get(key);
  if ((response.last_changed ?? 0) <= (clearedAt.get(key) ?? -1)) return;  // a copy from before the clear
  if (!known || (response.last_changed ?? 0) >= (known.last_changed ?? 0)) responses.set(key, response);
}

function forgetResponse(response) {
  const key = responseKey(response.question, response.student_id);
  clearedAt.set(key, Math.max(clearedAt.get(key) ?? -1, response.last_changed ?? 0));
  const known = responses.get(key);
  if (known && (known.last_changed ?? 0) <= (response.last_changed ?? 0)) responses.delete(key);
}

function applyView(fresh) {
  view = fresh;
  // After the lesson no live event can be missed: the fresh view is the whole truth (answers cleared by hand
  // included). During it, clears arrive as live events.
  if (fresh.state === "ended" && fresh.responses) responses.clear();
  for (const response of fresh.responses || []) rememberResponse(response);
  render();
}

async function refresh() {
  try {
    applyView(await api(`/sessions/${sessionId}`));
  } catch (failure) {
    if (!view) $("session-title").textContent = `Could not load this session: ${failure.message}`;
    toast(`Could not load the session: ${failure.message}`);
  }
}

function currentQuestion() {
  if (!view) return null;
  const index = view.question ?? 0;  // before the first open, preview question 1
  return view.quiz.questions[index] || null;
}

function answersFor(question) {
  const found = new Map();
  if (!view || question === null) return found;
  for (const response of responses.values()) {
    if (response.question === question) found.set(response.student_id, response);
  }
  return found;
}

function answersForCurrent() {
  return view ? answersFor(view.question) : new Map();
}

function renderHeader() {
  $("session-title").textContent = `${view.quiz.title} · ${view.class.name}`;
  $("anonymous-pill").hidden = !view.anonymous;
  $("question-label").textContent = view.label || (view.planned ? `${view.planned} questions` : "Quick questions");
  const pill = $("state-pill");
  pill.textContent = STATE_WORDS[view.state] || view.state;
  pill.className = `state-pill state-${view.state}`;
  renderEnded();
}

// Who ended the lesson and when: above all when an admin took the camera over for another lesson.
function renderEnded() {
  const banner = $("ended-banner");
  const ended = view.state === "ended" && view.ended_at;
  banner.hidden = !ended;
  // After the lesson: the results lead, the lesson's controls (all disabled by then) go; the roster stays
  // for corrections by hand.
  document.body.classList.toggle("lesson-ended", view.state === "ended");
  if (!ended) return;
  const when = new Date(view.ended_at * 1000).toLocaleTimeString([], {hour: "2-digit", minute: "2-digit"});
  const who = view.ended_by ? ` by ${view.ended_by}` : "";
  banner.textContent = view.end_reason === "taken over"
    ? `This lesson was ended${who} at ${when} to start another lesson.`
    : `This lesson was ended${who} at ${when}.`;
}

function renderQuestion() {
  const question = currentQuestion();
  const text = $("question-text");
  if (!question) {
    text.textContent = view.question_count === 0
      ? "Quick questions only: press “Quick question” to ask the first one."
      : "This session has no questions.";
    showImage($("question-image"), null);
    clear($("options"));
    return;
  }
  setMathText(text, view.question === null ? `Up first: ${question.text}` : question.text);
  showImage($("question-image"), question.image);
  renderOptions($("options"), question.options, view.state === "revealed" ? question.correct : null);
}

// What may be done now comes from the server's state machine (view.allowed); this only labels buttons.
function allowed(name) {
  return !busy && view.allowed.includes(name);
}

function renderControls() {
  const {main, back, next} = view.actions;
  const button = $("main-button");
  button.textContent = main ? main.label : (view.state === "ended" ? "Session ended" : "Ask a quick question");
  button.disabled = busy || (!main && view.state === "ended");
  button.dataset.action = main ? main.name : (view.state === "ended" ? "" : "quick");
  $("help-main").textContent = main ? main.label : "nothing now";
  $("back-button").hidden = !back;
  $("back-button").disabled = busy || !back;
  if (back) $("back-button").textContent = back.label;
  const pause = $("pause-button");
  pause.textContent = view.state === "paused" ? "Resume" : "Pause";
  pause.disabled = !(allowed("pause") || allowed("resume"));
  $("close-button").disabled = !allowed("close");
  $("reveal-button").disabled = !allowed("reveal");
  $("next-button").disabled = !allowed("next");
  $("next-button").textContent = next ? next.label : "Next question";
  $("reask-button").disabled = !allowed("reask");
  // Peer instruction: closed without revealing, asking again is the second vote after a discussion.
  $("reask-button").textContent = view.state === "closed" ? "Discuss and vote again" : "Ask again";
  $("quick-button").disabled = !allowed("quick");
  for (const button of document.querySelectorAll(".board-button")) button.disabled = !allowed("quick");
  if (!view.allowed.includes("quick")) closeQuickForm();
  $("photo-button").disabled = !allowed("photo");
  $("end-button").disabled = !allowed("end");
  // The main button already offers it: the same action twice would only be a second thing to read.
  const mainIsNext = Boolean(main && next && main.name === "open" && main.question === next.question);
  for (const [id, name] of [["pause-button", "resume"], ["close-button", "close"], ["reveal-button", "reveal"],
    ["next-button", "next"], ["end-button", "end"], ["quick-button", "quick"]]) {
    $(id).hidden = button.dataset.action === name || (name === "next" && mainIsNext);
  }
  $("results-link").hidden = view.state !== "ended";
  const live = view.state !== "ended";
  const display = view.display || {blank: false, card_grid: false};
  $("blank-button").disabled = displayBusy || !live;
  $("blank-button").setAttribute("aria-pressed", String(display.blank));
  $("blank-button").classList.toggle("pressed", display.blank);
  $("card-grid-switch").disabled = displayBusy || !live;
  if (!displayBusy) $("card-grid-switch").checked = display.card_grid;  // a click in flight keeps its new state
  $("scores-select").disabled = displayBusy || !live;
  if (!displayBusy) $("scores-select").value = display.scores || "off";
  $("anonymous-button").hidden = view.anonymous;
  $("anonymous-button").disabled = busy || !live;
}

function hidingNames() {
  return view.anonymous || $("hide-names-switch").checked;
}

function renderChart() {
  const question = currentQuestion();
  const card = $("chart-card");
  card.hidden = !(view.state === "revealed" && question);
  if (card.hidden) return;
  let distribution = publicState && publicState.question_index === view.question ? publicState.distribution : null;
  if (!distribution) {
    distribution = {};
    for (const response of answersForCurrent().values()) {
      distribution[response.answer] = (distribution[response.answer] || 0) + 1;
    }
  }
  renderDistribution($("chart"), {options: question.options, distribution, correct: question.correct});
}

// After a reveal, what the projector shows (from the public state, always current) and, when the teacher
// chose the ranking, every student's tally from the session view: names only here, never on the projector.
function renderScores() {
  const shown = view.state === "revealed" && publicState && publicState.id === sessionId ? publicState.scores : null;
  const ranking = view.state === "revealed" && view.scores ? view.scores.ranking : null;
  const card = $("scores-card");
  card.hidden = !shown;
  const teams = clear($("scores-teams"));
  const list = clear($("scores-ranking"));
  if (!shown) return;
  $("scores-summary").textContent = `${percentText(shown.percent)} correct so far: ${shown.right} of ${shown.answered} `
    + `answers right over ${shown.questions} question${shown.questions === 1 ? "" : "s"}`
    + (shown.mode === "ranking" ? " (what the projector shows)." : " (as on the projector).");
  teams.hidden = shown.mode !== "teams";
  for (const team of shown.teams || []) {
    teams.append(el("li", {text: `${team.team}: ${percentText(team.percent)} (${team.right} of ${team.answered} right)`}));
  }
  list.hidden = !ranking;
  for (const row of ranking || []) {
    const who = hidingNames() || !row.name ? `Card ${row.card}` : `${row.name} (card ${row.card})`;
    list.append(el("li", {text: `${who}: ${row.right} right of ${row.answered} answered`}));
  }
}

function render() {
  if (!view) return;
  renderHeader();
  renderQuestion();
  renderControls();
  renderRoster();
  renderChart();
  renderScores();
  renderPeer($("peer-card"), view, hidingNames());
}

async function act(action, body = {}) {
  busy = true;
  renderControls();
  try {
    applyView(await api(`/sessions/${sessionId}/${action}`, {method: "POST", body}));
  } catch (failure) {
    toast(failure.message);
    await refresh();  // the server knows better than this page; show its state
  } finally {
    busy = false;
    if (view) renderControls();
  }
}

function endSession() {
  if (confirm("End this session? The class will no longer be able to answer.")) act("end");
}

function perform(action) {
  if (!action || busy) return;
  if (action.name === "end") return endSession();
  if (action.name === "open") return act("open", {question: action.question});
  return act(action.name);
}

function mainAction() {
  if (!view || busy) return;
  const main = view.actions.main;
  if (main) return perform(main);
  if (view.state !== "ended") $("quick-button").click();
}

// The projector's display is independent of the lesson's step: B works even while "Close" is in flight.
let displayBusy = false;

async function setDisplay(change) {
  displayBusy = true;
  renderControls();
  try {
    applyView(await api(`/sessions/${sessionId}/display`, {method: "POST", body: change}));
  } catch (failure) {
    toast(failure.message);
  } finally {
    displayBusy = false;
    if (view) renderControls();
  }
}

function toggleBlank() {
  if (!view || view.state === "ended" || displayBusy) return;
  setDisplay({blank: !(view.display && view.display.blank)});
}

$("main-button").addEventListener("click", mainAction);
$("back-button").addEventListener("click", () => perform(view.actions.back));
$("pause-button").addEventListener("click", () => act(view.state === "paused" ? "resume" : "pause"));
$("close-button").addEventListener("click", () => act("close"));
$("reask-button").addEventListener("click", () => act("reask", {question: view.question}));
$("reveal-button").addEventListener("click", () => act("reveal"));
$("next-button").addEventListener("click", () => perform(view.actions.next));
$("end-button").addEventListener("click", endSession);
$("blank-button").addEventListener("click", toggleBlank);
$("card-grid-switch").addEventListener("change", (event) => setDisplay({card_grid: event.target.checked}));
$("scores-select").addEventListener("change", (event) => setDisplay({scores: event.target.value}));
$("hide-names-switch").addEventListener("change", (event) => {
  localStorage.setItem(HIDE_NAMES_KEY, event.target.checked ? "1" : "0");
  if (view) {
    renderRoster();
    renderScores();
    renderPeer($("peer-card"), view, hidingNames());
  }
});
$("anonymous-button").addEventListener("click", () => {
  if (confirm("Turn names off for the rest of this lesson? They cannot be turned back on.")) act("anonymous");
});

// ---------- keyboard and presenter remotes (they send Page Down / Page Up) ----------

const help = $("help");
$("help-button").addEventListener("click", () => help.showModal());

function typing(target) {
  return target instanceof HTMLElement
    && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

document.addEventListener("keydown", (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) return;
  if (help.open || $("entry-dialog").open) return;  // a dialog handles its own keys
  const onControl = event.target instanceof HTMLElement && ["BUTTON", "A"].includes(event.target.tagName);
  if (event.key === "PageDown" || event.key === "ArrowRight" || (event.key === " " && !onControl)) {
    event.preventDefault();
    mainAction();
  } else if (event.key === "PageUp" || event.key === "ArrowLeft") {
    event.preventDefault();
    if (view && view.actions.back) perform(view.actions.back);
  } else if (event.key === "b" || event.key === "B") {
    event.preventDefault();
    toggleBlank();
  } else if (event.key === "q" || event.key === "Q") {
    event.preventDefault();
    askFromBoard("abcd");
  } else if (event.key === "t" || event.key === "T") {
    event.preventDefault();
    askFromBoard("truefalse");
  } else if (event.key === "?") {
    event.preventDefault();
    help.showModal();
  }
});

// ---------- a photo of the class (cards the ceiling camera missed) ----------

$("photo-button").addEventListener("click", () => $("photo-input").click());
$("photo-input").addEventListener("change", async (event) => {
  const file = event.target.files[0];
  event.target.value = "";  // the same photo may be chosen again later
  if (!file) return;
  busy = true;
  renderControls();
  try {
    const result = await api(`/sessions/${sessionId}/photo`, {method: "POST", file});
    toast(`Read ${result.cards.length} card(s) in the photo; ${result.registered} answer(s) added or changed.`);
    await refresh();
  } catch (failure) {
    toast(failure.message);
  } finally {
    busy = false;
    if (view) renderControls();
  }
});

// ---------- quick question ----------

const quickForm = $("quick-form");

function closeQuickForm() {
  $("quick-card").hidden = true;
  $("quick-button").setAttribute("aria-expanded", "false");
}

// True/false fixes the answers; a poll has no right answer. The form follows the chosen type.
function fitQuickForm() {
  const type = $("quick-type").value;
  const trueFalse = type === "truefalse";
  for (const letter of ["A", "B", "C", "D"]) {
    const input = $(`quick-option-${letter}`);
    input.readOnly = trueFalse;
    if (trueFalse) input.value = letter === "A" ? "True" : letter === "B" ? "False" : "";
    input.closest(".quick-option").hidden = trueFalse && (letter === "C" || letter === "D");
  }
  $("quick-correct-field").hidden = type === "poll";
}

function quickProblem(body) {
  if (!body.text) return "Type the question.";
  if (body.options.length < 2) return "Give at least two answers (A and B).";
  if (body.correct && !body.options[["A", "B", "C", "D"].indexOf(body.correct)]) {
    return `The right answer ${body.correct} has no text.`;
  }
  if (body.time_limit !== null && !(Number.isInteger(body.time_limit) && body.time_limit >= 5 && body.time_limit <= 3600)) {
    return "The time limit is whole seconds from 5 to 3600, or empty for none.";
  }
  return null;
}

function quickBody() {
  const type = $("quick-type").value;
  // Answers are taken in order A, B, C…: an empty box ends the list, so letters never shift.
  const options = [];
  for (const letter of ["A", "B", "C", "D"]) {
    const text = $(`quick-option-${letter}`).value.trim();
    if (!text) break;
    options.push(text);
  }
  const time = $("quick-time").value.trim();
  return {type, text: $("quick-text").value.trim(), options,
    correct: type === "poll" ? null : $("quick-correct").value, time_limit: time ? Number(time) : null};
}

// "The answers are on the board": nothing to type. The letters stand for the answers (the screens show the letter
// alone), and no right answer was given, so it is asked as a poll: the distribution, no score.
const BOARD = {
  abcd: ["A", "B", "C", "D"],
  ab: ["A", "B"],
  truefalse: ["True", "False"],
};

async function askFromBoard(kind) {
  if (!view || !allowed("quick")) return;
  busy = true;
  renderControls();
  try {
    applyView(await api(`/sessions/${sessionId}/questions`, {method: "POST", body: {
      type: "poll", text: kind === "truefalse" ? "True or false? (on the board)" : "The question on the board",
      options: BOARD[kind], correct: null, time_limit: null}}));
    closeQuickForm();
  } catch (failure) {
    toast(`Could not ask it: ${failure.message}`);
  } finally {
    busy = false;
    if (view) renderControls();
  }
}

for (const button of document.querySelectorAll(".board-button")) {
  button.addEventListener("click", () => askFromBoard(button.dataset.board));
}

$("quick-button").addEventListener("click", () => {
  const card = $("quick-card");
  card.hidden = !card.hidden;
  $("quick-button").setAttribute("aria-expanded", String(!card.hidden));
  if (!card.hidden) {
    fitQuickForm();
    $("quick-text").focus();
  }
});
$("quick-cancel").addEventListener("click", closeQuickForm);
$("quick-type").addEventListener("change", fitQuickForm);
quickForm.addEventListener("input", () => { $("quick-error").hidden = true; });  // an old complaint misleads

quickForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const error = $("quick-error");
  const body = quickBody();
  const problem = quickProblem(body);
  error.hidden = !problem;
  error.textContent = problem || "";
  if (problem) return;
  busy = true;
  renderControls();
  $("quick-submit").disabled = true;
  try {
    applyView(await api(`/sessions/${sessionId}/questions`, {method: "POST", body}));
    quickForm.reset();
    closeQuickForm();
  } catch (failure) {
    error.textContent = `Could not ask it: ${failure.message}`;
    error.hidden = false;
  } finally {
    busy = false;
    $("quick-submit").disabled = false;
    if (view) renderControls();
  }
});

function onState(state) {
  const session = state.session;
  countdown.update(session && session.id === sessionId ? state : {session: null});
  if (!view) return;
  if (!session || session.id !== sessionId) {
    // Our session ended (or another one took over): the API has the final word.
    if (view.state !== "ended") refresh();
    return;
  }
  publicState = session;
  if (session.question_count !== view.question_count) {
    refresh();  // a question was added elsewhere; fetch the full list
    return;
  }
  Object.assign(view, {state: session.state, question: session.question_index, allowed: session.allowed,
    actions: session.actions,
    label: session.label, anonymous: session.anonymous,
    display: {...view.display, blank: session.blank, card_grid: session.card_grid}});
  render();
}

function onCamera(camera) {
  const banner = $("camera-banner");
  const problem = cameraProblem(camera);
  banner.hidden = !problem;
  banner.textContent = problem || "";
}

// The appliance's own trouble (disk almost full, answers that could not be saved): stays until reloaded,
// because a teacher who missed it would believe every answer was kept.
function onAlert(event) {
  const banner = $("alert-banner");
  banner.textContent = event.message;
  banner.hidden = false;
}

connectLive({
  onEvent(event) {
    if (event.type === "state") onState(event.state);
    else if ((event.type === "response" || event.type === "response_cleared") && event.session_id === sessionId) {
      if (event.type === "response") rememberResponse(event); else forgetResponse(event);
      if (view) {
        renderRoster();
        if (view.state === "revealed") renderChart();
      }
    } else if (event.type === "camera") onCamera(event.camera);
    else if (event.type === "alert") onAlert(event);
  },
  onConnect() {
    $("link-banner").hidden = true;
    refresh();  // responses sent while we were away are not replayed
  },
  onDisconnect() {
    $("link-banner").hidden = false;
  },
});
