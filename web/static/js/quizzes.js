// The quiz library: live search, tag filter chips, archived ones on request; each quiz can be edited, cloned,
// exported (JSON, CSV), archived or deleted for good (after a confirm dialog); a quiz file (JSON, or CSV with a title) can be imported.
import {api, wireLogout} from "./api.js";
import {$, LETTERS, clear, el, letterChip, toast} from "./dom.js";
import {setMathText} from "./math.js";

wireLogout();

const SEARCH_DELAY_MS = 250;  // typing pauses shorter than this do not each cost a request
const filters = {search: "", tag: "", archived: false};
let loadNumber = 0;  // answers to older requests that arrive late are dropped

function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

async function act(promise, message) {
  try {
    await promise;
    toast(message, 4);
  } catch (failure) {
    toast(failure.message);
  }
  await Promise.all([loadTags(), loadQuizzes()]);
}

// Every question with its answers, the right one marked, folded away until asked for.
function previewList(questions) {
  const list = el("ol", {class: "preview-questions"});
  for (const q of questions) {
    const options = el("ul", {class: "preview-options"});
    q.options.forEach((text, i) => {
      const letter = LETTERS[i];
      const right = q.correct === letter;
      const option = el("span", {});
      setMathText(option, ` ${text}`);
      options.append(el("li", {class: right ? "right" : ""}, letterChip(letter), option,
        right ? el("span", {class: "correct-mark", text: " ✓ right answer"}) : null));
    });
    const question = el("span", {class: "preview-text"});
    setMathText(question, q.text);
    list.append(el("li", {}, question, options));
  }
  return list;
}

// The library's list carries no questions (it stays small); a preview fetches its quiz when first opened.
function preview(quiz) {
  const details = el("details", {class: "quiz-preview"},
    el("summary", {text: "Preview", attrs: {"aria-label": `Preview ${quiz.title}`}}));
  let loaded = false;
  details.addEventListener("toggle", async () => {
    if (!details.open || loaded) return;
    loaded = true;
    try {
      const full = await api(`/quizzes/${quiz.id}`);
      details.append(previewList(full.questions));
    } catch (failure) {
      loaded = false;
      details.append(el("p", {text: `Could not load the questions: ${failure.message}`}));
    }
  });
  return details;
}

// Deleting cannot be undone, so it asks first, in a modal <dialog> (focus moves into it, Escape cancels, focus
// returns to the button). Lessons already run keep their results; the dialog says so.
function confirmDelete(quiz, opener) {
  const dialog = $("delete-dialog");
  $("delete-title").textContent = `Delete "${quiz.title}"?`;
  $("delete-text").textContent = `${plural(quiz.question_count, "question")} will be gone for good. Lessons already `
    + "run with it keep their results. To only hide it, archive it instead.";
  dialog.returnValue = "";
  dialog.addEventListener("close", () => {
    opener.focus();
    if (dialog.returnValue !== "delete") return;
    // The quiz's row (and the button) goes: the focus moves to the search box, the start of the list.
    act(api(`/quizzes/${quiz.id}`, {method: "DELETE"}), `"${quiz.title}" deleted; past results are kept.`)
      .then(() => $("search").focus());
  }, {once: true});
  dialog.showModal();
}

function quizItem(quiz) {
  const title = quiz.title;
  const tags = quiz.tags.map((tag) => el("span", {class: "pill", text: tag}));
  const actions = el("div", {class: "quiz-actions", attrs: {role: "group", "aria-label": `Actions for ${title}`}});
  const button = (text, label, handler, extra = "") => {
    const b = el("button", {class: `button small ${extra}`.trim(), text, attrs: {type: "button", "aria-label": label}});
    b.addEventListener("click", handler);
    return b;
  };
  const link = (text, label, href, download) => el("a", {class: "button small quiet", text,
    attrs: {href, "aria-label": label, download}});
  if (!filters.archived) {
    actions.append(
      el("a", {class: "button small primary", text: "Start a lesson", attrs: {href: `/?quiz=${quiz.id}`, "aria-label": `Start a lesson with ${title}`}}),
      el("a", {class: "button small", text: "Edit", attrs: {href: `/quizzes/${quiz.id}/edit`, "aria-label": `Edit ${title}`}}),
      el("a", {class: "button small", text: "Item analysis", attrs: {href: `/quizzes/${quiz.id}/analysis`,
        "aria-label": `Item analysis of ${title} over its lessons`}}),
      button("Clone", `Clone ${title}`, () => act(api(`/quizzes/${quiz.id}/clone`, {method: "POST"}),
        `Copied as "${title} (copy)".`)));
  }
  actions.append(
    link("Export JSON", `Export JSON of ${title}`, `/api/v1/quizzes/${quiz.id}/export.json`, true),
    link("Export CSV", `Export CSV of ${title}`, `/api/v1/quizzes/${quiz.id}/export.csv`, true),
    link("GIFT", `GIFT export of ${title} (Moodle)`, `/api/v1/quizzes/${quiz.id}/export.gift`, true),
    link("Aiken", `Aiken export of ${title} (Moodle)`, `/api/v1/quizzes/${quiz.id}/export.aiken`, true),
    link("Kahoot", `Kahoot export of ${title} (spreadsheet)`, `/api/v1/quizzes/${quiz.id}/export.xlsx`, true),
    filters.archived
      ? button("Restore", `Restore ${title}`, () => act(api(`/quizzes/${quiz.id}`, {method: "PATCH", body: {archived: false}}),
        `${title} is back in your library.`))
      : button("Archive", `Archive ${title}`, () => act(api(`/quizzes/${quiz.id}`, {method: "PATCH", body: {archived: true}}),
        `${title} archived. Tick "Show archived quizzes" to find it again.`), "quiet"));
  const remove = button("Delete…", `Delete ${title}`, () => confirmDelete(quiz, remove), "quiet danger");
  remove.setAttribute("aria-haspopup", "dialog");
  actions.append(remove);
  const meta = el("p", {class: "quiz-meta"}, el("span", {text: plural(quiz.question_count, "question")}), ...tags);
  return el("li", {class: "quiz-item"}, el("div", {}, el("h3", {text: title}), meta, preview(quiz)), actions);
}

async function loadQuizzes() {
  const number = ++loadNumber;
  const query = new URLSearchParams();
  if (filters.search) query.set("search", filters.search);
  if (filters.tag) query.set("tag", filters.tag);
  if (filters.archived) query.set("archived", "1");
  const quizzes = await api(`/quizzes?${query}`);
  if (number !== loadNumber) return;
  const list = clear($("quiz-list"));
  for (const quiz of quizzes) list.append(quizItem(quiz));
  const filtered = filters.search || filters.tag;
  const what = `${filters.archived ? "archived " : ""}${quizzes.length === 1 ? "quiz" : "quizzes"}`;
  $("result-line").textContent = quizzes.length
    ? (filtered ? `${quizzes.length} ${what} found` : "")
    : (filtered ? "No quiz matches. Try another word or tag." : (filters.archived ? "No archived quizzes."
      : "No quizzes yet. Press New quiz, or import a quiz file below."));
}

async function loadTags() {
  const tags = await api("/tags");
  if (filters.tag && !tags.includes(filters.tag)) filters.tag = "";
  const box = clear($("tags"));
  for (const tag of tags) {
    const chip = el("button", {class: "tag-chip", text: tag,
      attrs: {type: "button", "aria-pressed": String(tag === filters.tag)}});
    chip.addEventListener("click", () => {
      filters.tag = filters.tag === tag ? "" : tag;
      for (const other of box.querySelectorAll(".tag-chip")) {
        other.setAttribute("aria-pressed", String(other.textContent === filters.tag));
      }
      loadQuizzes().catch((failure) => toast(failure.message));
    });
    box.append(el("li", {}, chip));
  }
}

let searchTimer = null;
$("search").addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => {
    filters.search = $("search").value.trim();
    loadQuizzes().catch((failure) => toast(failure.message));
  }, SEARCH_DELAY_MS);
});

$("show-archived").addEventListener("change", () => {
  filters.archived = $("show-archived").checked;
  loadQuizzes().catch((failure) => toast(failure.message));
});

// The kind of file from its name; a .txt is most often GIFT (the teacher can pick Aiken).
function guessFormat(file) {
  const name = file.name.toLowerCase();
  if (name.endsWith(".csv") || file.type === "text/csv") return "csv";
  if (name.endsWith(".xlsx")) return "kahoot";
  if (name.endsWith(".txt") || name.endsWith(".gift")) return name.includes("aiken") ? "aiken" : "gift";
  return "json";
}

const TYPES = {json: "application/json", csv: "text/csv", gift: "text/plain", aiken: "text/plain",
  kahoot: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"};

// Only an Argus JSON file carries its title: for the others, ask for one, starting from the file's name.
function showTitleField() {
  const file = $("import-file").files[0];
  const needsTitle = Boolean(file) && $("import-format").value !== "json";
  $("import-title-field").hidden = !needsTitle;
  $("import-quiz-title").required = needsTitle && $("import-format").value !== "gift";  // GIFT may name its category
  if (needsTitle && !$("import-quiz-title").value) $("import-quiz-title").value = file.name.replace(/\.[^.]+$/, "");
}

$("import-file").addEventListener("change", () => {
  const file = $("import-file").files[0];
  if (file) $("import-format").value = guessFormat(file);
  showTitleField();
});
$("import-format").addEventListener("change", showTitleField);

$("import-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const file = $("import-file").files[0];
  const box = clear($("import-result"));
  if (!file) return;
  const format = $("import-format").value;
  const query = new URLSearchParams({format});
  if (format !== "json") query.set("title", $("import-quiz-title").value.trim());
  try {
    const quiz = await api(`/quizzes/import?${query}`, {method: "POST", file, type: TYPES[format]});
    box.append(el("p", {class: "success"}, `Imported "${quiz.title}" with ${plural(quiz.questions.length, "question")}. `,
      el("a", {text: "Open it in the editor", attrs: {href: `/quizzes/${quiz.id}/edit`}})));
    if (quiz.skipped && quiz.skipped.length) {
      const left = el("ul", {class: "skipped"}, el("li", {class: "problems-title",
        text: `Left out, because cards cannot ask them (${quiz.skipped.length}):`}));
      for (const reason of quiz.skipped) left.append(el("li", {text: reason}));
      box.append(left);
    }
    event.target.reset();
    $("import-title-field").hidden = true;
    await Promise.all([loadTags(), loadQuizzes()]);
  } catch (failure) {
    if (failure.status !== 400 && failure.status !== 413) {
      toast(`Could not import: ${failure.message}`);
      return;
    }
    const list = el("ul", {class: "problems"},
      el("li", {class: "problems-title", text: "Nothing was imported. Fix these in the file and import it again:"}));
    for (const problem of failure.problems.length ? failure.problems : [failure.message]) list.append(el("li", {text: problem}));
    box.append(list);
  }
});

Promise.all([loadTags(), loadQuizzes()]).catch((failure) => toast(failure.message));
