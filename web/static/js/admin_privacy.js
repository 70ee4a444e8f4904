// The admin page's privacy card: pick a class and a student, download everything held about them (one zip) or
// erase them everywhere. The erase asks for confirmation by name; the server refuses it during the class's lesson.
import {api} from "./api.js";
import {$, clear, el} from "./dom.js";

let classes = [];

function result(kind, ...children) {
  const box = clear($("privacy-result"));
  box.className = `export-result ${kind}`;
  box.append(...children);
  box.hidden = false;
}

function chosen() {
  const klass = classes.find((c) => String(c.id) === $("privacy-class").value);
  return klass ? klass.students.find((s) => String(s.id) === $("privacy-student").value) : undefined;
}

function showStudents() {
  const klass = classes.find((c) => String(c.id) === $("privacy-class").value);
  const select = clear($("privacy-student"));
  for (const student of klass ? klass.students : []) {
    select.append(el("option", {text: `${student.name} (card ${student.card})`, attrs: {value: String(student.id)}}));
  }
  showActions();
}

function showActions() {
  const student = chosen();
  const link = $("privacy-export");
  link.href = student ? `/api/v1/students/${student.id}/export` : "#";
  link.setAttribute("aria-disabled", student ? "false" : "true");
  $("privacy-erase").disabled = !student;
}

export async function loadPrivacy() {
  try {
    classes = await api("/classes");
  } catch (failure) {
    result("failed", el("span", {text: `Could not load the classes: ${failure.message}`}));
    return;
  }
  const select = clear($("privacy-class"));
  for (const klass of classes) select.append(el("option", {text: klass.name, attrs: {value: String(klass.id)}}));
  showStudents();
}

async function erase() {
  const student = chosen();
  if (!student) return;
  if (!confirm(`Erase ${student.name} (card ${student.card})?\n\nTheir name and every answer they gave are removed ` +
               "from the appliance for good. This cannot be undone.")) return;
  const button = $("privacy-erase");
  button.disabled = true;
  try {
    await api(`/students/${student.id}?erase=true`, {method: "DELETE"});
    result("done", el("strong", {text: `✓ ${student.name} is erased.`}),
      el("p", {text: "The audit log records the erasure without the name. Results already synced to the school's " +
        "storage must be erased there; backups made before now still hold the student until they age out."}));
    await loadPrivacy();
  } catch (failure) {
    result("failed", el("strong", {text: "✗ Not erased. "}), el("span", {text: failure.message}));
    button.disabled = false;
  }
}

export function wirePrivacy() {
  $("privacy-class").addEventListener("change", showStudents);
  $("privacy-student").addEventListener("change", showActions);
  $("privacy-erase").addEventListener("click", erase);
  loadPrivacy();
}
