// Item analysis on the results page, in a teacher's words: the hardest question and the wrong option that drew
// the class first, then a row per graded question (share right, discrimination, what each option drew, what to
// look at). The numbers come from GET /sessions/{id}/item-analysis (definitions in docs/ITEM_ANALYSIS.md).
import {LETTERS, clear, el, letterChip} from "./dom.js";
import {setMathText} from "./math.js";

const percent = (share) => (share === null || share === undefined ? "–" : `${Math.round(100 * share)}%`);

function mathText(text) {
  const span = el("span", {class: "ia-text"});
  setMathText(span, text);
  return span;
}

// What a discrimination says, in words; the number stays beside it for those who know it.
function discriminationWords(value) {
  if (value === null || value === undefined) return "nothing to compare (everyone scored the same)";
  if (value < 0) return "negative: check the key";
  if (value < 0.2) return "weak";
  if (value < 0.4) return "fair";
  return "good";
}

// The wrong option most chosen, if any student chose a wrong option.
function topDistractor(question) {
  let best = null;
  for (const [letter, option] of Object.entries(question.options)) {
    if (letter === question.key || !option.count) continue;
    if (!best || option.count > best.count) best = {letter, ...option};
  }
  return best;
}

function flagWords(question) {
  const words = [];
  for (const flag of question.flags) {
    if (flag === "distractor_beats_key") words.push("A wrong option drew more students than the right one: teach it again.");
    else if (flag === "negative_discrimination") words.push("Students who did well overall got this wrong: check the key and the wording.");
  }
  const unused = question.flags.filter((f) => f.startsWith("unused:")).map((f) => f.slice(7));
  if (unused.length) {
    words.push(`Nobody (or under 5%) chose ${unused.join(", ")}: ${unused.length === 1 ? "it does" : "they do"} not distract.`);
  }
  return words;
}

function optionsCell(question) {
  const list = el("ul", {class: "ia-options"});
  for (const letter of LETTERS) {
    const option = question.options[letter];
    if (!option) continue;
    const right = letter === question.key;
    list.append(el("li", {class: right ? "right" : ""}, letterChip(letter, "small"),
      el("span", {text: ` ${option.count} (${percent(option.share)})${right ? " ✓" : ""}`}),
      right ? el("span", {class: "visually-hidden", text: "right answer"}) : null,
      option.misconception ? el("span", {class: "ia-misconception", text: `: ${option.misconception}`}) : null));
  }
  return el("td", {}, list);
}

function row(question, labelOf) {
  const label = labelOf(question.index);
  const advice = flagWords(question);
  return el("tr", {class: question.flags.length ? "flagged" : ""},
    el("th", {attrs: {scope: "row"}}, el("span", {class: "q-number", text: label}), " ", mathText(question.text),
      question.skills.length ? el("span", {class: "ia-sub ia-skills", text: `Skills: ${question.skills.join(", ")}`}) : null),
    el("td", {class: "percent", text: `${percent(question.difficulty)}`},
      el("span", {class: "ia-sub", text: `${question.correct} of ${question.answered} answers`})),
    el("td", {}, el("span", {text: question.discrimination === null ? "–" : question.discrimination.toFixed(2)}),
      el("span", {class: "ia-sub", text: discriminationWords(question.discrimination)})),
    optionsCell(question),
    el("td", {}, advice.length ? el("ul", {class: "ia-advice"}, ...advice.map((text) => el("li", {text})))
      : el("span", {class: "ia-sub", text: "Nothing to check."})));
}

function headline(analysis, labelOf) {
  const box = el("div", {class: "ia-headline"});
  const answered = analysis.questions.filter((q) => q.difficulty !== null);
  if (!answered.length) {
    box.append(el("p", {text: "No graded answers yet: item analysis needs questions with a right answer that students answered."}));
    return box;
  }
  const hardest = answered.reduce((a, b) => (b.difficulty < a.difficulty ? b : a));
  const lead = el("p", {class: "ia-hardest"}, el("strong", {text: "Hardest question: "}),
    el("span", {class: "q-number", text: labelOf(hardest.index)}), " ", mathText(hardest.text),
    el("span", {text: ` — ${percent(hardest.difficulty)} right.`}));
  box.append(lead);
  const distractor = topDistractor(hardest);
  if (distractor) {
    box.append(el("p", {class: "ia-distractor"},
      el("span", {text: `${distractor.count} chose `}), letterChip(distractor.letter, "small"),
      distractor.misconception ? el("strong", {text: `: ${distractor.misconception}`}) : null,
      el("span", {text: ` (${percent(distractor.share)} of those who answered)`}),
      el("span", {text: `; the right answer ${hardest.key} drew ${hardest.options[hardest.key].count}.`})));
  }
  const kr = analysis.kr20 === null ? "not enough to tell (fewer than 2 graded questions, or every student scored the same)"
    : analysis.kr20.toFixed(2);
  box.append(el("p", {class: "hint", text: `${analysis.students} student${analysis.students === 1 ? "" : "s"} counted` +
    ` (present, answered at least one graded question). Reliability of the whole lesson (KR-20): ${kr}.`}));
  return box;
}

export function renderItemAnalysis(container, analysis, labelOf) {
  clear(container);
  container.append(headline(analysis, labelOf));
  if (!analysis.questions.length) return;
  const head = el("tr", {}, ...["Question", "Right", "Discrimination", "What each option drew", "What to look at"]
    .map((text) => el("th", {text, attrs: {scope: "col"}})));
  const body = el("tbody", {}, ...analysis.questions.map((q) => row(q, labelOf)));
  // A table wider than a phone scrolls sideways: the region takes focus so a keyboard can scroll it too.
  container.append(el("div", {class: "table-scroll",
                              attrs: {tabindex: 0, role: "region", "aria-label": "Item analysis, question by question"}},
    el("table", {class: "table ia-table", attrs: {id: "item-analysis-table"}}, el("thead", {}, head), body)));
}
