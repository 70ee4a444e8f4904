// Classes: list (with archived ones on request), create, rename in place, archive and restore; import a
// OneRoster zip (new classes, or next term's update of the same ones).
import {api, wireLogout} from "./api.js";
import {$, clear, el, toast} from "./dom.js";

wireLogout();

async function patchClass(id, body, doneMessage) {
  try {
    await api(`/classes/${id}`, {method: "PATCH", body});
    if (doneMessage) toast(doneMessage, 4);
  } catch (failure) {
    toast(`Could not save: ${failure.message}`);
  }
  await load();
}

// The name cell turns into a text box with Save and Cancel; Enter saves, Escape cancels.
function startRename(row, item) {
  const cell = row.querySelector(".name-cell");
  const input = el("input", {attrs: {value: item.name, maxlength: 100, "aria-label": `New name for ${item.name}`}});
  const save = el("button", {class: "button small primary", text: "Save", attrs: {type: "submit"}});
  const cancel = el("button", {class: "button small quiet", text: "Cancel", attrs: {type: "button"}});
  const form = el("form", {class: "rename-box"}, input, save, cancel);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const name = input.value.trim();
    if (!name || name === item.name) return load();
    patchClass(item.id, {name}, `Renamed to ${name}.`);
  });
  cancel.addEventListener("click", () => load());
  input.addEventListener("keydown", (event) => { if (event.key === "Escape") load(); });
  clear(cell).append(form);
  input.select();
}

function classRow(item, archived) {
  const link = el("a", {class: "class-link", text: item.name, attrs: {href: `/classes/${item.id}`}});
  const nameCell = el("td", {class: "name-cell"}, link,
    archived ? el("span", {text: " "}) : null, archived ? el("span", {class: "pill archived", text: "Archived"}) : null);
  const rename = el("button", {class: "button small", text: "Rename",
    attrs: {type: "button", "aria-label": `Rename ${item.name}`}});
  const toggle = el("button", {class: "button small quiet", text: archived ? "Restore" : "Archive",
    attrs: {type: "button", "aria-label": `${archived ? "Restore" : "Archive"} ${item.name}`}});
  const row = el("tr", {class: archived ? "is-archived" : ""}, nameCell,
    el("td", {class: "num", text: item.students.length}),
    el("td", {class: "row-actions"}, rename, toggle));
  rename.addEventListener("click", () => startRename(row, item));
  toggle.addEventListener("click", () => patchClass(item.id, {archived: !archived},
    archived ? `${item.name} is back in your classes.` : `${item.name} archived. Tick "Show archived classes" to see it again.`));
  return row;
}

async function load() {
  const showArchived = $("show-archived").checked;
  const [current, archived] = await Promise.all([
    api("/classes"), showArchived ? api("/classes?archived=1") : Promise.resolve([])]);
  const body = clear($("classes-body"));
  for (const item of current) body.append(classRow(item, false));
  for (const item of archived) body.append(classRow(item, true));
  const any = current.length + archived.length > 0;
  $("classes-table").hidden = !any;
  $("classes-empty").hidden = any;
  $("list-title").textContent = showArchived ? "Your classes, archived ones last" : "Your classes";
}

$("create-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = $("new-name");
  const error = $("create-error");
  error.hidden = true;
  try {
    const created = await api("/classes", {method: "POST", body: {name: input.value}});
    // A new class is empty: the next thing a teacher does is add students, so go straight there.
    location.assign(`/classes/${created.id}`);
  } catch (failure) {
    error.textContent = failure.message;
    error.hidden = false;
  }
});

function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

$("oneroster-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const file = $("oneroster-file").files[0];
  const box = clear($("oneroster-result"));
  if (!file) return;
  try {
    const result = await api("/classes/import", {method: "POST", file, type: "application/zip"});
    const list = el("ul", {class: "success"});
    for (const item of result.classes) {
      const changes = item.created ? `new, ${plural(item.added, "student")}`
        : `updated: ${item.added} added, ${item.archived} archived, ${item.restored} back`;
      list.append(el("li", {}, el("a", {text: item.name, attrs: {href: `/classes/${item.id}`}}), ` (${changes})`));
    }
    box.append(el("p", {class: "success", text: `Imported ${plural(result.classes.length, "class")} from ${file.name}.`}),
      list);
    for (const note of result.told_apart) box.append(el("p", {class: "hint", text: note}));
    event.target.reset();
    await load();
  } catch (failure) {
    if (failure.status !== 400 && failure.status !== 413 && failure.status !== 415) {
      toast(`Could not import: ${failure.message}`);
      return;
    }
    const list = el("ul", {class: "problems"},
      el("li", {class: "problems-title", text: "Nothing was imported. The file has these problems:"}));
    for (const problem of failure.problems.length ? failure.problems : [failure.message]) list.append(el("li", {text: problem}));
    box.append(list);
  }
});

$("show-archived").addEventListener("change", () => load().catch((failure) => toast(failure.message)));
load().catch((failure) => toast(failure.message));
