// The quiz editor: title, tags and questions (type, text, 2–4 answers with the correct one ticked, optional
// time limit and picture), reordered, duplicated or deleted in place, saved whole. The server checks the quiz;
// each problem it names ("questions[2].options: ...") is shown on that question.
import {api, wireLogout} from "./api.js";
import {$, LETTERS, clear, el, letterChip, toast} from "./dom.js";
import {hasMath, setMathText} from "./math.js";

wireLogout();

const TYPES = [["multiple", "Multiple choice"], ["truefalse", "True or false"], ["poll", "Poll (no right answer)"]];
const FIELD_WORDS = {type: "Type", text: "Question text", options: "Answers", correct: "Correct answer",
  time_limit: "Time limit", image: "Picture", skills: "Skills", misconceptions: "Common mistakes"};
const PROBLEM = /^questions\[(\d+)\](?:\.(\w+)(?:\.\w+)?)?:\s*(.*)$/;

const main = $("main");
let quizId = main.dataset.quizId ? Number(main.dataset.quizId) : null;
let questions = [];
let dirty = false;
let nextKey = 1;  // gives each question a stable id for its radio group and labels across re-renders
// The login page is the only way on after a 401; the browser's "leave page?" would only confuse.
window.addEventListener("argus:login-expired", () => { dirty = false; });

function blankQuestion() {
  return {key: nextKey++, type: "multiple", text: "", options: ["", "", "", ""], correct: null, time_limit: null, image: null,
    skills: [], misconceptions: {}};
}

function fromServer(q) {
  return {key: nextKey++, type: q.type, text: q.text, options: [...q.options], correct: q.correct,
    time_limit: q.time_limit, image: q.image, skills: [...(q.skills || [])], misconceptions: {...(q.misconceptions || {})}};
}

function setStatus(text, kind = "") {
  const status = $("save-status");
  status.textContent = text;
  status.className = `save-status ${kind}`.trim();
}

function markDirty() {
  dirty = true;
  setStatus("Unsaved changes", "dirty");
}

function setType(q, type) {
  if (type === "truefalse" && !(q.options.length === 2 && q.options.every((o) => o.trim()))) q.options = ["True", "False"];
  if (type === "truefalse" && !["A", "B"].includes(q.correct)) q.correct = null;
  if (type === "poll") q.correct = null;
  if (type === "multiple" && q.options.length < 2) q.options.push("");
  q.type = type;
}

// Structural changes redraw the list; afterwards focus goes back where the teacher was working.
function change(mutate, focusSelector) {
  mutate();
  markDirty();
  render();
  if (focusSelector) {
    const target = document.querySelector(focusSelector);
    if (target && !target.disabled) target.focus();
  }
}

function toolButton(text, label, handler, disabled = false) {
  const button = el("button", {class: "button small quiet", text, attrs: {type: "button", "aria-label": label, disabled}});
  button.addEventListener("click", handler);
  return button;
}

function optionRow(q, i, j) {
  const letter = LETTERS[j];
  const number = i + 1;
  const previewId = `math-${q.key}-${letter}`;
  const input = el("input", {attrs: {value: q.options[j], maxlength: 200, "aria-label": `Answer ${letter} of question ${number}`,
    "aria-describedby": previewId}});
  // Maths in an answer is previewed as the class will see it, as for the question.
  const preview = el("p", {class: "math-preview option-preview", attrs: {id: previewId, "aria-live": "polite"}});
  const showPreview = () => {
    preview.hidden = !hasMath(q.options[j]);
    setMathText(preview, preview.hidden ? "" : q.options[j]);
  };
  showPreview();
  input.addEventListener("input", () => { q.options[j] = input.value; markDirty(); showPreview(); });
  const row = el("li", {class: "option-edit"}, letterChip(letter));
  if (q.type === "poll") {
    row.append(el("span"));
  } else {
    const radio = el("input", {attrs: {type: "radio", name: `correct-${q.key}`, value: letter, checked: q.correct === letter,
      "aria-label": `Answer ${letter} is correct`}});
    // Redrawn: the misconception notes below belong to the wrong answers, which just changed.
    radio.addEventListener("change", () => change(() => { q.correct = letter; },
      `#q-${q.key} input[type=radio][value=${letter}]`));
    row.append(el("label", {class: "correct-choice"}, radio, el("span", {text: "correct", attrs: {"aria-hidden": "true"}})));
  }
  row.append(input);
  const removable = q.type !== "truefalse" && q.options.length > 2;
  row.append(removable
    ? toolButton("✕", `Remove answer ${letter} of question ${number}`, () => change(() => {
      q.options.splice(j, 1);
      const index = LETTERS.indexOf(q.correct);
      if (index === j) q.correct = null;
      else if (index > j) q.correct = LETTERS[index - 1];  // the ticked answer keeps its tick as letters shift
    }, `#q-${q.key} .add-option`))
    : el("span"));
  row.append(preview);
  return row;
}

async function uploadImage(q, file) {
  try {
    const stored = await api("/images", {method: "POST", file});
    change(() => { q.image = stored.url; }, `#q-${q.key} .remove-image`);
  } catch (failure) {
    toast(failure.message);
  }
}

function imageEditor(q, number) {
  const box = el("div", {class: "image-edit"});
  if (q.image) {
    box.append(el("img", {attrs: {src: q.image, alt: `Picture for question ${number}`}}),
      toolButton("Remove picture", `Remove the picture of question ${number}`,
        () => change(() => { q.image = null; }, `#q-${q.key} input[type=file]`)));
    box.lastChild.classList.add("remove-image");
    return el("div", {}, el("span", {class: "label-like", text: "Picture"}), box);
  }
  const id = `image-${q.key}`;
  const input = el("input", {attrs: {id, type: "file", accept: "image/png,image/jpeg,image/gif,image/webp"}});
  input.addEventListener("change", () => { if (input.files[0]) uploadImage(q, input.files[0]); });
  box.append(input);
  return el("div", {}, el("label", {text: "Picture (optional)", attrs: {for: id}}), box);
}

// What the question tests, and what each wrong answer suggests a student believes: the item analysis after the
// lesson says "12 chose B: adds the denominators".
function notesEditor(q, number) {
  const skillsId = `skills-${q.key}`;
  const skills = el("input", {attrs: {id: skillsId, value: q.skills.join(", "), maxlength: 1000,
    placeholder: "e.g. adding fractions, CCSS.MATH.CONTENT.5.NF.A.1", "aria-describedby": `skills-hint-${q.key}`}});
  skills.addEventListener("input", () => {
    q.skills = skills.value.split(",").map((t) => t.trim()).filter(Boolean);
    markDirty();
  });
  const notes = el("div", {class: "misconceptions-edit"});
  if (q.type !== "poll") {
    q.options.forEach((_, j) => {
      const letter = LETTERS[j];
      if (letter === q.correct) return;
      const id = `note-${q.key}-${letter}`;
      const input = el("input", {attrs: {id, value: q.misconceptions[letter] || "", maxlength: 200,
        placeholder: "e.g. adds the denominators"}});
      input.addEventListener("input", () => { q.misconceptions[letter] = input.value; markDirty(); });
      notes.append(el("div", {class: "note-edit"}, letterChip(letter),
        el("label", {text: `Choosing ${letter} suggests`, attrs: {for: id}}), input));
    });
  }
  const filled = q.skills.length || Object.values(q.misconceptions).some((n) => n && n.trim());
  return el("details", {class: "notes-details", attrs: {open: filled ? true : null}},
    el("summary", {text: `Skills and common mistakes (question ${number})`}),
    el("label", {text: "Skills it tests", attrs: {for: skillsId}}), skills,
    el("p", {class: "hint", text: "Separate skills with commas.", attrs: {id: `skills-hint-${q.key}`}}),
    q.type === "poll" ? el("p", {class: "hint", text: "A poll has no wrong answers."}) : notes);
}

function questionBlock(q, i) {
  const number = i + 1;
  const last = i === questions.length - 1;
  const tools = el("div", {class: "question-tools", attrs: {role: "group", "aria-label": `Question ${number} tools`}},
    toolButton("↑ Up", `Move question ${number} up`, () => change(() => {
      [questions[i - 1], questions[i]] = [questions[i], questions[i - 1]];
    }, `#q-${q.key} .move-up`), i === 0),
    toolButton("↓ Down", `Move question ${number} down`, () => change(() => {
      [questions[i + 1], questions[i]] = [questions[i], questions[i + 1]];
    }, `#q-${q.key} .move-down`), last),
    toolButton("Duplicate", `Duplicate question ${number}`, () => {
      const copy = {...q, options: [...q.options], skills: [...q.skills], misconceptions: {...q.misconceptions},
        key: nextKey++};
      change(() => questions.splice(i + 1, 0, copy), `#q-${copy.key} textarea`);
    }),
    toolButton("Delete", `Delete question ${number}`, () => {
      if ((q.text.trim() || q.options.some((o) => o.trim())) && !confirm(`Delete question ${number}?`)) return;
      change(() => {
        questions.splice(i, 1);
        if (!questions.length) questions.push(blankQuestion());
      }, "#add-question");
    }));
  tools.children[0].classList.add("move-up");
  tools.children[1].classList.add("move-down");

  const typeId = `type-${q.key}`;
  const typeSelect = el("select", {attrs: {id: typeId}},
    ...TYPES.map(([value, text]) => el("option", {text, attrs: {value, selected: value === q.type}})));
  typeSelect.addEventListener("change", () => change(() => setType(q, typeSelect.value), `#${typeId}`));
  const textId = `text-${q.key}`;
  const text = el("textarea", {text: q.text, attrs: {id: textId, maxlength: 500, rows: 2, placeholder: "What do you want to ask?",
    "aria-describedby": `math-${q.key}`}});
  // Maths ($…$) as the class will see it, under the box, only when there is some.
  const preview = el("p", {class: "math-preview", attrs: {id: `math-${q.key}`, "aria-live": "polite"}});
  const showPreview = () => {
    preview.hidden = !hasMath(q.text);
    setMathText(preview, preview.hidden ? "" : q.text);
  };
  showPreview();
  text.addEventListener("input", () => { q.text = text.value; markDirty(); showPreview(); });

  const options = el("ol", {class: "options-edit", attrs: {"aria-label": `Answers of question ${number}`}},
    ...q.options.map((_, j) => optionRow(q, i, j)));
  const hint = q.type === "poll" ? "A poll has no right answer." : "Tick the correct answer.";
  const addOption = toolButton("+ Add answer", `Add answer to question ${number}`,
    () => change(() => q.options.push(""), `#q-${q.key} .option-edit:last-child input:not([type=radio])`),
    q.type === "truefalse" || q.options.length >= 4);
  addOption.classList.add("add-option");
  addOption.hidden = q.type === "truefalse";

  const limitId = `limit-${q.key}`;
  const limit = el("input", {attrs: {id: limitId, type: "number", min: 5, max: 3600, inputmode: "numeric",
    value: q.time_limit ?? "", placeholder: "no limit"}});
  limit.addEventListener("input", () => {
    q.time_limit = limit.value.trim() === "" ? null : Number(limit.value);
    markDirty();
  });

  return el("li", {class: "question-block", attrs: {id: `q-${q.key}`, "aria-labelledby": `heading-${q.key}`}},
    el("div", {class: "question-top"}, el("h2", {text: `Question ${number}`, attrs: {id: `heading-${q.key}`}}), tools),
    el("div", {class: "question-grid"},
      el("div", {}, el("label", {text: "Type", attrs: {for: typeId}}), typeSelect),
      el("div", {}, el("label", {text: "Question", attrs: {for: textId}}), text, preview)),
    el("div", {class: "options-head"}, el("span", {class: "label-like", text: "Answers"}), el("p", {class: "hint", text: hint})),
    options, addOption,
    el("div", {class: "question-extras"},
      el("div", {}, el("label", {text: "Time limit (seconds)", attrs: {for: limitId}}), limit),
      imageEditor(q, number)),
    notesEditor(q, number),
    el("ul", {class: "problems question-problems", attrs: {hidden: true, role: "alert"}}));
}

function render() {
  const list = clear($("questions"));
  questions.forEach((q, i) => list.append(questionBlock(q, i)));
}

function payload() {
  const tags = $("quiz-tags").value.split(",").map((t) => t.trim()).filter(Boolean);
  return {title: $("quiz-title").value.trim(), tags, questions: questions.map((q) => {
    const options = q.options.map((o) => o.trim());
    // Blank answers at the end of a multiple-choice question are just unused rows, not mistakes.
    while (q.type === "multiple" && options.length > 2 && !options.at(-1) && LETTERS[options.length - 1] !== q.correct) {
      options.pop();
    }
    // A note for the right answer (or for an answer removed) is not a misconception: left out.
    const misconceptions = Object.fromEntries(Object.entries(q.misconceptions).filter(([letter, note]) =>
      q.type !== "poll" && letter !== q.correct && LETTERS.indexOf(letter) < options.length && note && note.trim()));
    return {type: q.type, text: q.text, options, correct: q.type === "poll" ? null : q.correct,
      time_limit: q.time_limit, image: q.image, skills: q.skills, misconceptions};
  })};
}

function friendly(field, message) {
  return field ? `${FIELD_WORDS[field] || field}: ${message}` : message;
}

function showProblems(problems) {
  const general = clear($("general-problems"));
  const blocks = [...document.querySelectorAll(".question-block")];
  for (const block of blocks) {
    block.classList.remove("has-problems");
    clear(block.querySelector(".question-problems")).hidden = true;
  }
  $("quiz-title").classList.toggle("invalid", problems.some((p) => p.startsWith("title")));
  for (const problem of problems) {
    const match = PROBLEM.exec(problem);
    const block = match && blocks[Number(match[1])];
    if (block) {
      const list = block.querySelector(".question-problems");
      list.append(el("li", {text: friendly(match[2], match[3])}));
      list.hidden = false;
      block.classList.add("has-problems");
    } else {
      general.append(el("li", {text: problem.replace(/^title:/, "Title:").replace(/^tags:/, "Tags:")}));
    }
  }
  general.hidden = general.childElementCount === 0;
  const first = general.hidden ? document.querySelector(".has-problems") : general;
  if (first) first.scrollIntoView({block: "center"});
}

function fill(quiz) {
  $("quiz-title").value = quiz.title;
  $("quiz-tags").value = quiz.tags.join(", ");
  questions = quiz.questions.map(fromServer);
  render();
}

$("quiz-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = $("save-button");
  button.disabled = true;
  setStatus("Saving…");
  try {
    const saved = await api(quizId ? `/quizzes/${quizId}` : "/quizzes",
      {method: quizId ? "PUT" : "POST", body: payload()});
    showProblems([]);
    if (!quizId) {
      quizId = saved.id;
      history.replaceState(null, "", `/quizzes/${saved.id}/edit`);  // a reload now edits, not re-creates
      $("editor-title").textContent = "Edit quiz";
    }
    fill(saved);
    dirty = false;
    setStatus(`Saved ✓ ${new Date().toLocaleTimeString([], {timeStyle: "short"})}`, "saved");
  } catch (failure) {
    if (failure.status === 400) {
      showProblems(failure.problems.length ? failure.problems : [failure.message]);
      const count = failure.problems.length || 1;
      setStatus(`Not saved: ${count} thing${count === 1 ? "" : "s"} to fix (shown in red)`, "dirty");
    } else {
      setStatus("Not saved", "dirty");
      toast(`Could not save: ${failure.message}`);
    }
  } finally {
    button.disabled = false;
  }
});

$("add-question").addEventListener("click", () => {
  const q = blankQuestion();
  change(() => questions.push(q), `#text-${q.key}`);
});
for (const id of ["quiz-title", "quiz-tags"]) $(id).addEventListener("input", markDirty);

window.addEventListener("beforeunload", (event) => {
  if (!dirty) return;
  event.preventDefault();
  event.returnValue = "";  // older browsers need this to show their "leave page?" question
});

async function start() {
  if (quizId === null) {
    questions = [blankQuestion()];
    render();
    $("quiz-title").focus();
    return;
  }
  try {
    const quiz = await api(`/quizzes/${quizId}`);
    document.title = `Argus · ${quiz.title}`;
    fill(quiz);
  } catch (failure) {
    $("load-error").textContent = `This quiz could not be opened: ${failure.message}`;
    $("load-error").hidden = false;
    $("quiz-form").hidden = true;
  }
}

start();
