// Maths in questions and options: text between $…$ is drawn by KaTeX 0.16.47 (vendored in /static/vendor/katex,
// pinned, MIT licence beside it; nothing from the network). KaTeX runs with trust: false (no links, no
// pictures, no HTML from a formula), a maxSize and a maxExpand; a formula it cannot read is shown as the raw
// text the teacher typed. Everything outside $…$ stays plain text (textContent), never HTML.
// KaTeX is loaded only by pages that show a formula, the first time they do.

const KATEX = "/static/vendor/katex/katex.mjs";
const KATEX_CSS = "/static/vendor/katex/katex.min.css";
const OPTIONS = {throwOnError: true, trust: false, maxSize: 8, maxExpand: 100, strict: "ignore",
  output: "htmlAndMathml"};
// A $ that is not escaped (\$ is a dollar sign), then the shortest run up to the next one, on one line.
const MATH = /(?<!\\)\$([^$\n]+?)(?<!\\)\$/g;

let katexPromise = null;

function loadKatex() {
  if (!katexPromise) {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = KATEX_CSS;
    document.head.append(link);
    katexPromise = import(KATEX).then((module) => module.default);
  }
  return katexPromise;
}

// [{math: false, text: "What is "}, {math: true, text: "\\frac12"}, …]; "\$" in plain text is a "$".
export function splitMath(text) {
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(MATH)) {
    if (match.index > last) parts.push({math: false, text: text.slice(last, match.index)});
    parts.push({math: true, text: match[1]});
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push({math: false, text: text.slice(last)});
  return parts.map((part) => (part.math ? part : {math: false, text: part.text.replaceAll("\\$", "$")}));
}

export function hasMath(text) {
  return typeof text === "string" && splitMath(text).some((part) => part.math);
}

// Put `text` into `node`: at once as plain text, then (if it has maths) with each formula drawn. The node
// gets a "math-rendered" event afterwards, so a page that fits text to the screen can measure again.
export function setMathText(node, text) {
  const value = text === null || text === undefined ? "" : String(text);
  node.textContent = value;
  node.dataset.source = value;
  if (!hasMath(value)) return;
  loadKatex().then((katex) => {
    if (node.dataset.source !== value) return;  // replaced while KaTeX was loading
    node.replaceChildren();
    for (const part of splitMath(value)) {
      if (!part.math) {
        node.append(part.text);
        continue;
      }
      const span = document.createElement("span");
      span.className = "math";
      try {
        katex.render(part.text, span, OPTIONS);
      } catch {
        span.className = "math math-error";
        span.textContent = `$${part.text}$`;
      }
      node.append(span);
    }
    node.dispatchEvent(new CustomEvent("math-rendered", {bubbles: true}));
  }).catch(() => { /* KaTeX could not load: the raw text stays, which is still readable */ });
}
