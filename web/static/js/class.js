// One class's roster: rename students and reassign cards in place (saved on leaving the box), remove, add one,
// import a list from a spreadsheet, CSV or pasted cells (previewed first; all or nothing, problems listed by
// line), and download the class's cards as a PDF.
import {api, wireLogout} from "./api.js";
import {$, clear, el, toast} from "./dom.js";

wireLogout();

const main = $("main");
const classId = Number(main.dataset.classId);
const cardCount = Number(main.dataset.cardCount);

async function findClass() {
  try {
    return await api(`/classes/${classId}`);
  } catch (failure) {
    if (failure.status === 404) return null;
    throw failure;
  }
}

function setStatus(node, text, kind) {
  node.textContent = text;
  node.className = `row-status ${kind}`;
}

// Saves one field of one student when its box changes; a refused value (a card already taken) is put back.
// An empty team takes the student out of their team; an empty name or card is refused here.
function wireField(input, student, field, status) {
  let saved = String(student[field] ?? "");
  const save = async () => {
    const raw = input.value.trim();
    if (raw === saved) return;
    if (!raw && field !== "team") {
      setStatus(status, field === "name" ? "A name can't be empty." : "Type a card number.", "bad");
      input.value = saved;
      return;
    }
    const value = field === "card" ? Number(raw) : raw;
    try {
      const updated = await api(`/students/${student.id}`, {method: "PATCH", body: {[field]: value}});
      saved = String(updated[field] ?? "");
      input.value = saved;
      student[field] = updated[field];
      setStatus(status, field === "card" ? `Now card ${updated.card} ✓`
        : field === "team" && !updated.team ? "In no team ✓" : "Saved ✓", "good");
    } catch (failure) {
      input.value = saved;
      setStatus(status, failure.message, "bad");
    }
  };
  input.addEventListener("change", save);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      save();
    }
  });
}

function studentRow(student) {
  const status = el("span", {class: "row-status", attrs: {"aria-live": "polite"}});
  const card = el("input", {class: "card-input", attrs: {type: "number", min: 1, max: cardCount, value: student.card,
    inputmode: "numeric", "aria-label": `Card of ${student.name}`}});
  const name = el("input", {attrs: {value: student.name, maxlength: 100, "aria-label": `Name of ${student.name}`}});
  const team = el("input", {class: "team-input", attrs: {value: student.team ?? "", maxlength: 40,
    "aria-label": `Team of ${student.name}`, placeholder: "no team"}});
  const remove = el("button", {class: "button small danger", text: "Remove",
    attrs: {type: "button", "aria-label": `Remove ${student.name}`}});
  wireField(card, student, "card", status);
  wireField(name, student, "name", status);
  wireField(team, student, "team", status);
  remove.addEventListener("click", async () => {
    if (!confirm(`Remove ${student.name} from this class?\n\nIf they have already answered in a session, they are ` +
                 "archived instead, so their results stay in past reports.")) return;
    try {
      const removed = await api(`/students/${student.id}`, {method: "DELETE"});
      toast(removed.archived
        ? `${student.name} archived: their past answers stay in reports. Card ${student.card} is free again.`
        : `${student.name} removed. Card ${student.card} is free again.`, 5);
      await load();
    } catch (failure) {
      toast(`Could not remove ${student.name}: ${failure.message}`);
    }
  });
  return el("tr", {}, el("td", {class: "num"}, card), el("td", {}, name, status), el("td", {}, team),
    el("td", {class: "row-actions"}, remove));
}

function updatePrintLink(hasStudents) {
  const link = $("print-link");
  const query = new URLSearchParams({page: $("print-page").value, per_page: $("print-per-page").value});
  link.href = `/api/v1/classes/${classId}/cards.pdf?${query}`;
  link.toggleAttribute("aria-disabled", !hasStudents);
  link.hidden = !hasStudents;
}

let studentCount = 0;

async function load() {
  const found = await findClass();
  if (!found) {
    $("class-name").textContent = "Class not found";
    $("load-error").textContent = "This class does not exist, or it belongs to another teacher.";
    $("load-error").hidden = false;
    return;
  }
  document.title = `Argus · ${found.name}`;
  $("class-name").textContent = found.name;
  $("archived-pill").hidden = !found.archived;
  const body = clear($("roster-body"));
  for (const student of found.students) body.append(studentRow(student));
  studentCount = found.students.length;
  $("roster-table").hidden = studentCount === 0;
  $("roster-empty").hidden = studentCount > 0;
  $("student-count").textContent = `${studentCount} student${studentCount === 1 ? "" : "s"}`;
  updatePrintLink(studentCount > 0);
}

$("add-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const error = $("add-error");
  error.hidden = true;
  const cardText = $("add-card").value.trim();
  try {
    const added = await api(`/classes/${classId}/students`, {method: "POST",
      body: {name: $("add-name").value, card: cardText ? Number(cardText) : null}});
    toast(`${added.name} added with card ${added.card}.`, 4);
    event.target.reset();
    $("add-name").focus();  // ready for the next name: teachers add several in a row
    await load();
  } catch (failure) {
    error.textContent = failure.message;
    error.hidden = false;
  }
});

function showImportProblems(box, problems, title) {
  const list = el("ul", {class: "problems"}, el("li", {class: "problems-title", text: title}));
  for (const problem of problems) list.append(el("li", {text: problem}));
  box.append(list);
}

// What the teacher chose to import: the file, or else the pasted cells (tab-separated, as spreadsheets copy).
function importSource() {
  const file = $("import-file").files[0];
  if (file) return {body: file, type: file.type || "application/octet-stream", label: file.name};
  const pasted = $("import-paste").value;
  if (pasted.trim()) return {body: new Blob([pasted], {type: "text/plain"}), type: "text/plain", label: "the pasted cells"};
  return null;
}

let pending = null;  // the source previewed and not yet imported

function hidePreview() {
  pending = null;
  $("import-preview").hidden = true;
  clear($("preview-body"));
}

function showPreview(preview, source) {
  const body = clear($("preview-body"));
  for (const student of preview.students) {
    body.append(el("tr", {}, el("td", {text: student.where}), el("td", {text: student.name}),
      el("td", {class: "num", text: student.card === null ? "–" : student.card})));
  }
  const columns = Object.entries(preview.columns).map(([role, header]) => `${header} → ${role.replace("_", " ")}`);
  const parts = [`${preview.students.length} student${preview.students.length === 1 ? "" : "s"} from ${source.label}.`];
  if (preview.header) parts.push(`Header on ${preview.header}: ${columns.join(", ")}.`);
  if (preview.ignored.length) parts.push(`Ignored columns: ${preview.ignored.join(", ")}.`);
  $("preview-summary").textContent = parts.join(" ");
  $("import-confirm").textContent = `Import ${preview.students.length} student${preview.students.length === 1 ? "" : "s"}`;
  $("import-confirm").hidden = !preview.ok;
  $("import-preview").hidden = false;
  pending = preview.ok ? source : null;
}

$("import-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const box = clear($("import-result"));
  hidePreview();
  const source = importSource();
  if (!source) {
    box.append(el("p", {class: "form-error", text: "Choose a file or paste the cells of a spreadsheet first."}));
    return;
  }
  try {
    const preview = await api(`/classes/${classId}/roster?dry_run=1`, {method: "POST", file: source.body, type: source.type});
    if (!preview.ok) {
      showImportProblems(box, preview.problems,
        "Nothing can be imported yet. Fix these lines in the file (or the pasted cells) and preview again:");
    }
    showPreview(preview, source);
    if (preview.ok) $("import-confirm").focus();
  } catch (failure) {
    if (failure.status === 400 || failure.status === 413) {
      showImportProblems(box, failure.problems.length ? failure.problems : [failure.message],
        "Nothing was imported. Fix these in the file and try again:");
    } else {
      toast(`Could not read the list: ${failure.message}`);
    }
  }
});

$("import-confirm").addEventListener("click", async () => {
  if (!pending) return;
  const source = pending;
  const box = clear($("import-result"));
  const before = studentCount;
  try {
    await api(`/classes/${classId}/roster`, {method: "POST", file: source.body, type: source.type});
    hidePreview();
    await load();
    box.append(el("p", {class: "success", text: `Imported ${studentCount - before} students from ${source.label}.`}));
    $("import-form").reset();
  } catch (failure) {
    if (failure.status === 400 || failure.status === 413) {
      showImportProblems(box, failure.problems.length ? failure.problems : [failure.message],
        "Nothing was imported. Fix these lines in the file and import it again:");
    } else {
      toast(`Could not import: ${failure.message}`);
    }
  }
});

$("import-cancel").addEventListener("click", () => {
  hidePreview();
  clear($("import-result"));
  $("import-file").focus();
});

for (const id of ["print-page", "print-per-page"]) {
  $(id).addEventListener("change", () => updatePrintLink(studentCount > 0));
}
load().catch((failure) => toast(failure.message));
