// Live control of one session: teacher actions, the roster filling in from the camera, reveal and chart,
// asking a question again, and quick questions typed in during the lesson.
// Truth comes from GET /sessions/{id}; the websocket then adds `response`, `state` and `camera` events.
// In an anonymous session the roster shows card numbers only: the teacher's screen may be on the projector.
import {api, wireLogout} from "./api.js";
import {$, clear, el, letterChip, renderOptions, showImage, toast} from "./dom.js";
import {Countdown} from "./countdown.js";
import {connectLive} from "./live.js";
import {renderDistribution} from "./chart.js";
import {cameraProblem} from "./camera.js";

const STATE_WORDS = {ready: "Ready to start", open: "Open: cards are being read", paused: "Paused",
  closed: "Closed", revealed: "Answer revealed", ended: "Session ended"};

const sessionId = Number($("main").dataset.sessionId);
let view = null;            // the session view from the API
let publicState = null;     // the latest public state of this session (counts, distribution after reveal)
const responses = new Map();  // "question:student_id" → newest response
let busy = false;           // an action is in flight: keep buttons off so a double click cannot double-act
const countdown = new Countdown($("countdown"));

wireLogout();

function responseKey(question, studentId) {
  return `${question}:${studentId}`;
}

// Keep whichever copy changed last, so a refetch racing with live events never goes backwards.
function rememberResponse(response) {
  const key = responseKey(response.question, response.student_id);
  const known = responses.get(key);
  if (!known || (response.last_changed ?? 0) >= (known.last_changed ?? 0)) responses.set(key, response);
}

function applyView(fresh) {
  view = fresh;
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

function answersForCurrent() {
  const found = new Map();
  if (!view || view.question === null) return found;
  for (const response of responses.values()) {
    if (response.question === view.question) found.set(response.student_id, response);
  }
  return found;
}

function renderHeader() {
  $("session-title").textContent = `${view.quiz.title} · ${view.class.name}`;
  $("anonymous-pill").hidden = !view.anonymous;
  $("question-number").textContent = view.question === null ? "–" : String(view.question + 1);
  $("question-count").textContent = String(view.question_count);
  const pill = $("state-pill");
  pill.textContent = STATE_WORDS[view.state] || view.state;
  pill.className = `state-pill state-${view.state}`;
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
  text.textContent = view.question === null ? `Up first: ${question.text}` : question.text;
  showImage($("question-image"), question.image);
  renderOptions($("options"), question.options, view.state === "revealed" ? question.correct : null);
}

function renderControls() {
  // What may be done now comes from the server's state machine (view.allowed); this only labels buttons.
  const state = view.state;
  const index = view.question;
  const may = (action) => !busy && view.allowed.includes(action);
  const hasNext = (index === null ? 0 : index + 1) < view.question_count;
  const open = $("open-button");
  if (state === "paused") {
    open.textContent = "Resume";
  } else if (index === null) {
    open.textContent = "Open question 1";
  } else {
    open.textContent = `Reopen question ${index + 1}`;
  }
  open.disabled = !may(state === "paused" ? "resume" : "open");
  $("pause-button").disabled = !may("pause");
  $("reask-button").disabled = !may("reask");
  $("quick-button").disabled = !may("quick");
  if (!view.allowed.includes("quick")) closeQuickForm();
  $("photo-button").disabled = !may("photo");
  $("close-button").disabled = !may("close");
  $("reveal-button").disabled = !may("reveal");
  const next = $("next-button");
  next.textContent = index === null ? "Next question" : `Next question (${index + 2})`;
  next.disabled = !may("next");
  $("end-button").disabled = !may("end");
  $("results-link").hidden = state !== "ended";
  if (state === "revealed" && !hasNext) next.textContent = "No more questions";
}

function studentCell(student, response, revealed, correct) {
  const name = view.anonymous ? `Card ${student.card}` : student.name;
  const cell = el("li", {class: "student"},
    el("span", {class: "card-no", text: student.card, attrs: {title: "Card number"}}),
    el("span", {class: "name", text: name}));
  if (!response) {
    cell.classList.add("waiting");
    cell.append(el("span", {class: "visually-hidden", text: "no answer yet"}));
    return cell;
  }
  cell.classList.add("answered");
  if (!revealed) {
    cell.append(el("span", {class: "mark tick", text: "✓", attrs: {"aria-hidden": "true"}}),
      el("span", {class: "visually-hidden", text: "answered"}));
    return cell;
  }
  const mark = el("span", {class: "mark"}, letterChip(response.answer));
  if (correct) {
    const right = response.answer === correct;
    cell.classList.add(right ? "right" : "wrong");
    mark.append(el("span", {class: "verdict", text: right ? "✓" : "✗", attrs: {"aria-hidden": "true"}}),
      el("span", {class: "visually-hidden", text: right ? "right" : "wrong"}));
  }
  cell.append(mark);
  return cell;
}

function renderRoster() {
  const answers = answersForCurrent();
  const question = currentQuestion();
  const revealed = view.state === "revealed";
  const students = [...view.class.students].sort((a, b) => a.card - b.card);
  const roster = clear($("roster"));
  for (const student of students) {
    roster.append(studentCell(student, answers.get(student.id), revealed, question && question.correct));
  }
  $("answered-count").textContent = String(answers.size);
  $("total-count").textContent = String(students.length);
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

function render() {
  if (!view) return;
  renderHeader();
  renderQuestion();
  renderControls();
  renderRoster();
  renderChart();
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

$("open-button").addEventListener("click", () => {
  if (view.state === "paused") return act("resume");
  return act("open", {question: view.question ?? 0});
});
$("pause-button").addEventListener("click", () => act("pause"));
$("close-button").addEventListener("click", () => act("close"));
$("reask-button").addEventListener("click", () => act("reask", {question: view.question}));
$("reveal-button").addEventListener("click", () => act("reveal"));
$("next-button").addEventListener("click", () => act("open", {question: (view.question ?? -1) + 1}));
$("end-button").addEventListener("click", () => {
  if (confirm("End this session? The class will no longer be able to answer.")) act("end");
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
  view.state = session.state;
  view.question = session.question_index;
  view.allowed = session.allowed;
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
    else if (event.type === "response" && event.session_id === sessionId) {
      rememberResponse(event);
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
