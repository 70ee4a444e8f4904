// The answer distribution as horizontal bars in plain HTML/CSS: one row per letter in that letter's colour,
// the count and percentage as text, and the correct answer marked with a ✓ and the word "correct"
// so it does not depend on seeing colour.
import {LETTERS, clear, el, letterChip} from "./dom.js";
import {setMathText} from "./math.js";

function mathSpan(className, text) {
  const span = el("span", {class: className});
  setMathText(span, text);
  return span;
}

export function renderDistribution(container, {options, distribution, correct}) {
  clear(container);
  const counts = LETTERS.slice(0, options.length).map((letter) => (distribution && distribution[letter]) || 0);
  const total = counts.reduce((a, b) => a + b, 0);
  const most = Math.max(1, ...counts);
  const list = el("ul", {class: "bars", attrs: {"aria-label": "Answer distribution"}});
  options.forEach((text, i) => {
    const letter = LETTERS[i];
    const count = counts[i];
    const percent = total ? Math.round((100 * count) / total) : 0;
    const isCorrect = correct !== null && correct !== undefined && letter === correct;
    const fill = el("span", {class: `bar-fill letter-${letter}`});
    // Width via the CSSOM is allowed under a strict CSP (style attributes in markup are not).
    fill.style.width = `${(100 * count) / most}%`;
    const row = el("li", {class: `bar-row${isCorrect ? " correct" : ""}`},
      letterChip(letter),
      mathSpan("bar-label", text),
      el("span", {class: "bar-track"}, fill),
      el("span", {class: "bar-value", text: `${count} (${percent}%)`}),
      isCorrect ? el("span", {class: "correct-mark", text: "✓ correct"}) : el("span", {class: "correct-mark empty"}));
    list.append(row);
  });
  container.append(list);
  if (correct === null || correct === undefined) {
    container.append(el("p", {class: "hint", text: "Poll: no right answer."}));
  }
}
