// Peer instruction on the teacher's page: after a question voted on again is revealed, who moved from a wrong
// answer to the right one, and who from the right one to a wrong one (the session view's "peer", computed on
// the server). Names here only, and only when names are shown; the projector gets counts.
import {clear, el} from "./dom.js";

function who(list, students, hidingNames) {
  const byId = new Map(students.map((s) => [s.id, s]));
  return list.map((id) => {
    const student = byId.get(id);
    if (!student) return `Student ${id}`;
    return hidingNames ? `Card ${student.card}` : student.name;
  });
}

function group(title, names, className) {
  return el("div", {class: `peer-group ${className}`},
    el("h3", {text: `${title} (${names.length})`}),
    names.length ? el("ul", {}, ...names.map((name) => el("li", {text: name})))
      : el("p", {class: "hint", text: "Nobody."}));
}

export function renderPeer(card, view, hidingNames) {
  const peer = view && view.peer;
  const shown = Boolean(peer && peer.position === view.question && view.state === "revealed");
  card.hidden = !shown;
  const body = clear(card.querySelector(".peer-body"));
  if (!shown) return;
  card.querySelector(".peer-title").textContent = `After the discussion: round ${peer.from_round} → round ${peer.to_round}`;
  body.append(
    group("Wrong → right", who(peer.wrong_to_right, view.class.students, hidingNames), "moved-right"),
    group("Right → wrong", who(peer.right_to_wrong, view.class.students, hidingNames), "moved-wrong"),
    el("p", {class: "hint", text: `Of the ${peer.answered_both} who voted both times, ${peer.stayed_right} stayed right `
      + `and ${peer.stayed_wrong} stayed wrong.`}));
}
