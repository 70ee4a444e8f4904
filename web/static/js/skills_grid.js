// The class report's skills over time: a row per student, a column per skill (share right over the last 5
// answers, the level in words, an arrow for the change since the lesson before), the class's trend per skill
// in the column head, and who is behind on which skill first. From GET /classes/{id}/skills.
import {clear, el} from "./dom.js";

const LEVEL_WORDS = {"mastered": "mastered", "developing": "developing", "not yet": "not yet", "too few": "too few answers"};

function change(value) {
  if (value === null || value === undefined || Math.abs(value) < 0.005) return "";
  return value > 0 ? ` ↑${Math.round(100 * value)}` : ` ↓${Math.round(-100 * value)}`;
}

function who(row, hidingNames) {
  return hidingNames ? `Card ${row.card}` : row.name;
}

function cell(standing) {
  if (!standing.attempts) return el("td", {class: "skill-cell none"}, el("span", {text: "–", attrs: {"aria-label": "no answers"}}));
  const level = standing.level.replace(" ", "-");
  return el("td", {class: `skill-cell level-${level}`},
    el("strong", {text: `${Math.round(100 * standing.mastery)}%`}),
    el("span", {class: "skill-level", text: ` ${LEVEL_WORDS[standing.level]}${change(standing.change)}`}),
    el("span", {class: "skill-count", text: `${standing.right} of last ${Math.min(standing.attempts, 5)} · ${standing.attempts} in all`}));
}

function head(skill) {
  const trend = skill.trend.map((point) => `${Math.round(100 * point.share)}%`).join(" → ");
  return el("th", {attrs: {scope: "col"}}, el("span", {text: skill.skill}),
    el("span", {class: "col-date", text: `class: ${trend}`}));
}

export function renderSkills(grid, hidingNames) {
  const skills = grid.skills;
  const empty = !skills.length;
  document.getElementById("skills-empty").hidden = !empty;
  document.getElementById("skills-grid").hidden = empty;
  const behind = clear(document.getElementById("skills-behind"));
  const headRow = clear(document.getElementById("skills-head"));
  const body = clear(document.getElementById("skills-body"));
  if (empty) return;
  for (const skill of skills) {
    const names = grid.students.filter((row) => row.skills[skill.skill].level === "not yet").map((row) => who(row, hidingNames));
    if (names.length) behind.append(el("li", {}, el("strong", {text: `Behind on ${skill.skill}: `}), names.join(", ")));
  }
  headRow.append(el("th", {text: "Card", attrs: {scope: "col"}}), el("th", {text: "Student", attrs: {scope: "col"}}),
    ...skills.map(head));
  for (const row of [...grid.students].sort((a, b) => a.card - b.card)) {
    body.append(el("tr", {}, el("td", {class: "card-no-cell", text: row.card}),
      el("th", {attrs: {scope: "row"}, text: who(row, hidingNames)}),
      ...skills.map((skill) => cell(row.skills[skill.skill]))));
  }
}
