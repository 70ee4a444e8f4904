// The admin page's privacy card: pick a class and a student (also one who left the class, or of an archived
// class: requests come from students who have gone), download everything held about them (one zip) or erase
// them everywhere. The erase asks for confirmation; the server refuses it during the class's lesson.
import {api} from "./api.js";
import {$, clear, el} from "./dom.js";

let students = [];

function result(kind, ...children) {
  const box = clear($("privacy-result"));
  box.className = `export-result ${kind}`;
  box.append(...children);
  box.hidden = false;
}

function chosen() {
  return students.find((s) => String(s.id) === $("privacy-student").value);
}

function showStudents() {
  const select = clear($("privacy-student"));
  for (const student of students.filter((s) => String(s.class_id) === $("privacy-class").value)) {
    const left = student.left_class ? " · left the class" : "";
    select.append(el("option", {text: `${student.name} (card ${student.card})${left}`,
      attrs: {value: String(student.id)}}));
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
    students = await api("/privacy/students");
  } catch (failure) {
    result("failed", el("span", {text: `Could not load the students: ${failure.message}`}));
    return;
  }
  const select = $("privacy-class");
  const before = select.value;
  clear(select);
  const seen = new Set();
  for (const student of students) {
    if (seen.has(student.class_id)) continue;
    seen.add(student.class_id);
    select.append(el("option", {text: student.class_name + (student.class_archived ? " (archived)" : ""),
      attrs: {value: String(student.class_id)}}));
  }
  if (seen.has(Number(before))) select.value = before;
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
        "storage must be erased there; restoring an older backup erases them again by itself."}));
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
