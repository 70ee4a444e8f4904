// The lesson's roster on the teacher's page: who answered, who is absent, who holds a spare card, and the
// teacher's last word. A click (or Enter) on a student opens one small dialog: their answer to any question
// asked (A–D, or "no answer" to hand them back to the camera), absent/present, and a spare card for today.
// Every change goes to the API, which answers with the whole session; the roster then shows it.
import {api} from "./api.js";
import {$, clear, el, letterChip, toast} from "./dom.js";

const SOURCE_WORDS = {camera: "read by the camera", teacher: "entered by you", photo: "read from your photo"};

let ctx = null;  // {sessionId, view(), answersFor(question), apply(view), hidingNames()}
let chosen = null;  // the student the dialog is open for
let entryBusy = false;

function displayName(student) {
  return ctx.hidingNames() ? `Card ${student.card}` : student.name;
}

function spareOf(view, studentId) {
  const given = view.spares.find((spare) => spare.student_id === studentId);
  return given ? given.card : null;
}

function studentCell(view, student, response, revealed, correct) {
  const absent = view.absent.includes(student.id);
  const spare = spareOf(view, student.id);
  const button = el("button", {class: "student", attrs: {type: "button", "aria-haspopup": "dialog",
    "data-student-id": student.id}},
  el("span", {class: "card-no", text: student.card, attrs: {title: "Card number"}}),
  el("span", {class: "name", text: displayName(student)}));
  if (spare !== null) button.append(el("span", {class: "spare-badge", text: `spare ${spare}`}));
  const said = [];
  if (absent) {
    button.classList.add("absent");
    button.append(el("span", {class: "absent-badge", text: "absent"}));
  } else if (!response) {
    button.classList.add("waiting");
    said.push("no answer yet");
  } else {
    button.classList.add("answered");
    if (response.source === "teacher") {
      button.classList.add("by-hand");
      button.append(el("span", {class: "hand", text: "✎", attrs: {"aria-hidden": "true", title: "Entered by you"}}));
      said.push("entered by you");
    }
    if (!revealed) {
      button.append(el("span", {class: "mark tick", text: "✓", attrs: {"aria-hidden": "true"}}));
      said.unshift("answered");
    } else {
      const mark = el("span", {class: "mark"}, letterChip(response.answer));
      said.unshift(`answer ${response.answer}`);
      if (correct) {
        const right = response.answer === correct;
        button.classList.add(right ? "right" : "wrong");
        mark.append(el("span", {class: "verdict", text: right ? "✓" : "✗", attrs: {"aria-hidden": "true"}}));
        said.push(right ? "right" : "wrong");
      }
      button.append(mark);
    }
  }
  if (said.length) button.append(el("span", {class: "visually-hidden", text: `: ${said.join(", ")}`}));
  return el("li", {}, button);
}

export function renderRoster() {
  const view = ctx.view();
  const answers = ctx.answersFor(view.question);
  const question = view.question === null ? null : view.quiz.questions[view.question];
  const revealed = view.state === "revealed";
  const students = [...view.class.students].sort((a, b) => a.card - b.card);
  // Answers arrive all the time: a keyboard user's place in the roster must survive each redraw.
  const focused = document.activeElement instanceof HTMLElement && $("roster").contains(document.activeElement)
    ? document.activeElement.dataset.studentId : null;
  const roster = clear($("roster"));
  for (const student of students) {
    roster.append(studentCell(view, student, answers.get(student.id), revealed, question && question.correct));
  }
  if (focused) roster.querySelector(`[data-student-id="${focused}"]`)?.focus();
  const present = students.filter((s) => !view.absent.includes(s.id));
  const answered = present.filter((s) => answers.has(s.id));
  for (const id of ["answered-count", "bar-answered"]) $(id).textContent = String(answered.length);
  for (const id of ["total-count", "bar-total"]) $(id).textContent = String(present.length);
  const absentCount = students.length - present.length;
  $("absent-count").hidden = absentCount === 0;
  $("absent-count").textContent = `${absentCount} absent`;
  renderUnread(view, present.filter((s) => !answers.has(s.id)));
  $("roll-call-button").disabled = entryBusy || view.question === null || view.state === "ended";
  if (chosen && $("entry-dialog").open) renderEntry();
}

// While a question is open: who the camera has not read yet, by name (the teacher can walk over), whether the
// reader saw their card a moment ago but cannot read it now, and a small map of where it last saw each card.
const AREA_WORDS = {back: "back", middle: "middle", front: "front", left: "left", centre: "centre", right: "right"};
const SEEN_HINT = "seen, not readable: hold it still, fingers off the square";
let whereabouts = new Map();  // student_id → {card, state, seen_ago, place}
let pollTimer = null;

function areaText(place) {
  if (!place || !place.area) return "";
  const [row, side] = place.area.split("-");
  return side === "centre" ? `${AREA_WORDS[row]} of the room, centre` : `${AREA_WORDS[row]} ${AREA_WORDS[side]}`;
}

function renderUnread(view, waiting) {
  const open = view.state === "open" || view.state === "paused";
  const box = $("unread");
  box.hidden = !open || waiting.length === 0;
  schedulePoll(open);
  if (box.hidden) return;
  const list = clear($("unread-list"));
  for (const student of waiting) {
    const where = whereabouts.get(student.id);
    const item = el("li", {}, el("button", {class: "link-button", text: displayName(student),
      attrs: {type: "button", "data-student-id": student.id, "aria-haspopup": "dialog"}}));
    if (where && where.state === "seen") {
      const place = areaText(where.place);
      item.append(el("span", {class: "seen-note", text: ` ${SEEN_HINT}${place ? ` (${place})` : ""}`}));
      item.classList.add("seen");
    }
    list.append(item);
  }
  $("unread-title").textContent = `Not read yet (${waiting.length})`;
  renderMap(view, new Set(waiting.map((s) => s.id)));
}

// Dots where the reader last saw each card (no picture): the ones still waiting stand out.
function renderMap(view, waitingIds) {
  const map = clear($("room-map"));
  const placed = [...whereabouts.entries()].filter(([, where]) => where.place);
  $("room-map-box").hidden = placed.length === 0;
  for (const [studentId, where] of placed) {
    const waiting = waitingIds.has(studentId);
    const dot = el("span", {class: `map-dot${waiting ? " waiting" : ""}${where.state === "seen" ? " seen" : ""}`,
      text: where.card});
    // The camera faces the class from the front: the top of its frame is the back of the room.
    dot.style.left = `${(where.place.x * 100).toFixed(1)}%`;
    dot.style.top = `${(where.place.y * 100).toFixed(1)}%`;
    map.append(dot);
  }
  const waitingPlaced = placed.filter(([id]) => waitingIds.has(id)).map(([, where]) => `card ${where.card}`);
  map.setAttribute("aria-label", waitingPlaced.length
    ? `Where the camera last saw the cards; not read yet: ${waitingPlaced.join(", ")}`
    : "Where the camera last saw the cards");
}

function schedulePoll(open) {
  if (open && !pollTimer) {
    pollTimer = setInterval(pollWhereabouts, 2000);
    pollWhereabouts();
  } else if (!open && pollTimer) {
    clearInterval(pollTimer);
    pollTimer = null;
    whereabouts = new Map();
  }
}

async function pollWhereabouts() {
  try {
    const found = await api(`/sessions/${ctx.sessionId}/unread`);
    whereabouts = new Map(found.students.map((s) => [s.student_id, s]));
  } catch {
    return;  // the roster still shows who answered; the next poll tries again
  }
  const view = ctx.view();
  if (!view) return;
  const answers = ctx.answersFor(view.question);
  renderUnread(view, view.class.students.filter((s) => !view.absent.includes(s.id) && !answers.has(s.id)));
}

// ---------- the dialog for one student ----------

function chosenStudent() {
  return ctx.view().class.students.find((s) => s.id === chosen);
}

function entryQuestion() {
  const select = $("entry-question");
  return select.value === "" ? null : Number(select.value);
}

function renderQuestionChoice(view) {
  const select = $("entry-question");
  const keep = select.value;
  const asked = view.asked || [];
  clear(select);
  for (const index of asked) {
    const label = (view.labels && view.labels[index] && view.labels[index].text) || `Question ${index + 1}`;
    select.append(el("option", {text: label, attrs: {value: index}}));
  }
  const preferred = asked.map(String).includes(keep) ? keep
    : asked.includes(view.question) ? String(view.question) : (asked.length ? String(asked[asked.length - 1]) : "");
  select.value = preferred;
  $("entry-question-field").hidden = asked.length === 0;
}

function renderEntry() {
  const view = ctx.view();
  const student = chosenStudent();
  if (!student) return;
  $("entry-title").textContent = `${displayName(student)} · card ${student.card}`;
  renderQuestionChoice(view);
  const index = entryQuestion();
  const absent = view.absent.includes(student.id);
  const response = index === null ? null : ctx.answersFor(index).get(student.id);
  $("entry-current").textContent = index === null ? "No question has been asked yet."
    : absent ? "Marked absent: mark them present to enter an answer."
      : response ? `Now: ${response.answer}, ${SOURCE_WORDS[response.source] || response.source}.` : "Now: no answer.";
  const letters = clear($("entry-letters"));
  const question = index === null ? null : view.quiz.questions[index];
  if (question) {
    question.options.forEach((text, i) => {
      const letter = "ABCD"[i];
      const pressed = Boolean(response && response.answer === letter && response.source === "teacher");
      letters.append(el("button", {class: "button letter-button", attrs: {type: "button", "data-letter": letter,
        "aria-pressed": String(pressed), "aria-label": `Answer ${letter}: ${text}`, disabled: entryBusy || absent}},
      letterChip(letter)));
    });
    letters.append(el("button", {class: "button quiet", text: "No answer", attrs: {type: "button",
      "data-letter": "", disabled: entryBusy || absent || !response,
      title: "Clear the answer: the camera reads this student again"}}));
  }
  const absentButton = $("entry-absent");
  absentButton.textContent = absent ? "Mark present" : "Mark absent";
  absentButton.disabled = entryBusy;
  const spare = spareOf(view, student.id);
  $("entry-spare-line").textContent = spare !== null
    ? `Holding spare card ${spare} today: its answers are ${displayName(student)}'s.`
    : `Spare cards for this class: ${(view.spare_cards || []).join(", ") || "none"}.`;
  $("entry-spare").textContent = spare !== null ? "Take the spare card back" : "Give a spare card";
  $("entry-spare").disabled = entryBusy;
}

export function openEntry(studentId) {
  chosen = studentId;
  $("entry-question").value = "";
  renderEntry();
  $("entry-dialog").showModal();
  // Straight to the letters (keys A–D work from there); the question list is one Shift+Tab away.
  const first = $("entry-letters").querySelector("button:not([disabled])") || $("entry-absent");
  first.focus();
}

async function send(what, body, done) {
  entryBusy = true;
  renderEntry();
  try {
    ctx.apply(await api(`/sessions/${ctx.sessionId}/${what}`, {method: "PUT", body}));
    if (done) toast(done());
  } catch (failure) {
    toast(failure.message);
  } finally {
    entryBusy = false;
    renderRoster();
  }
}

function setAnswer(letter) {
  const student = chosenStudent();
  const question = entryQuestion();
  if (!student || question === null) return;
  send("answers", {question, student_id: student.id, answer: letter || null},
    () => letter ? `${displayName(student)}: ${letter}, entered by you.`
      : `${displayName(student)}: no answer; the camera reads them again.`);
}

function toggleAbsent() {
  const view = ctx.view();
  const student = chosenStudent();
  if (!student) return;
  const absent = new Set(view.absent);
  const nowAbsent = !absent.has(student.id);
  if (nowAbsent) absent.add(student.id); else absent.delete(student.id);
  send("attendance", {absent: [...absent]},
    () => `${displayName(student)} marked ${nowAbsent ? "absent" : "present"}.`);
}

function toggleSpare() {
  const student = chosenStudent();
  if (!student) return;
  const had = spareOf(ctx.view(), student.id);
  send("spares", had !== null ? {student_id: student.id, card: null} : {student_id: student.id}, () => {
    const given = spareOf(ctx.view(), student.id);
    return given !== null ? `Give ${displayName(student)} spare card ${given}.` : `Spare card ${had} is back.`;
  });
}

// Roll call: everyone holds up their card once; whoever the camera did not read in this question is absent.
function rollCall() {
  const view = ctx.view();
  if (view.question === null) return;
  const answers = ctx.answersFor(view.question);
  const missing = view.class.students.filter((s) => !answers.has(s.id) && !view.absent.includes(s.id));
  if (!missing.length) {
    toast("Everyone was read: nobody is marked absent.");
    return;
  }
  const names = missing.map(displayName).join(", ");
  if (!confirm(`Mark ${missing.length} not read as absent? ${names}`)) return;
  send("attendance", {absent: [...view.absent, ...missing.map((s) => s.id)]},
    () => `${missing.length} marked absent. Click a student to mark them present.`);
}

export function wireRoster(context) {
  ctx = context;
  for (const id of ["roster", "unread-list"]) {
    $(id).addEventListener("click", (event) => {
      const target = event.target instanceof Element ? event.target.closest("[data-student-id]") : null;
      if (target) openEntry(Number(target.dataset.studentId));
    });
  }
  $("entry-letters").addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target.closest("[data-letter]") : null;
    if (target && !target.disabled) setAnswer(target.dataset.letter);
  });
  $("entry-question").addEventListener("change", renderEntry);
  $("entry-dialog").addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || event.target instanceof HTMLSelectElement) return;
    const key = event.key.toUpperCase();
    const letter = key === "N" ? "" : key;
    const button = $("entry-letters").querySelector(`[data-letter="${letter}"]`);
    if (!["A", "B", "C", "D", "N"].includes(key) || !button || button.disabled) return;
    event.preventDefault();
    setAnswer(letter);
  });
  $("entry-absent").addEventListener("click", toggleAbsent);
  $("entry-spare").addEventListener("click", toggleSpare);
  $("roll-call-button").addEventListener("click", rollCall);
  $("entry-dialog").addEventListener("close", () => {
    const back = document.querySelector(`#roster [data-student-id="${chosen}"]`);
    chosen = null;
    if (back instanceof HTMLElement) back.focus();  // keyboard users land where they were
  });
}
