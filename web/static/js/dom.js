// Small DOM helpers shared by every page. Data always goes in through textContent, never innerHTML,
// so a student called "<b>" shows up as exactly that. Question and option text goes through setMathText, which
// draws $…$ as maths and leaves the rest as text.
import {setMathText} from "./math.js";

export const LETTERS = ["A", "B", "C", "D"];

export function $(id) {
  const found = document.getElementById(id);
  if (!found) throw new Error(`page is missing #${id}`);
  return found;
}

// el("li", {class: "x", text: "hi", attrs: {title: "t"}}, child, ...)
export function el(tag, options = {}, ...children) {
  const node = document.createElement(tag);
  if (options.class) node.className = options.class;
  if (options.text !== undefined && options.text !== null) node.textContent = String(options.text);
  for (const [name, value] of Object.entries(options.attrs || {})) {
    if (value !== undefined && value !== null && value !== false) node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

export function show(node, visible) {
  node.hidden = !visible;
}

// A letter badge: its colour comes from the letter (same in every view), the letter itself is the text.
export function letterChip(letter, extraClass = "") {
  return el("span", {class: `chip letter-${letter} ${extraClass}`.trim(), text: letter});
}

// The options of a question as <li>s with coloured letter chips; `correct` (or null) marks the right one.
export function renderOptions(list, options, correct = null) {
  clear(list);
  options.forEach((text, i) => {
    const letter = LETTERS[i];
    const isCorrect = correct !== null && letter === correct;
    const optionText = el("span", {class: "option-text"});
    setMathText(optionText, text);
    // A question on the board has the bare letters as its answers: the chip alone says it.
    const item = el("li", {class: `option${isCorrect ? " correct" : ""}`}, letterChip(letter),
      text === letter ? null : optionText);
    if (isCorrect) item.append(el("span", {class: "correct-mark", text: "✓ Correct"}));
    list.append(item);
  });
}

// A share as the screens show it: "72%", or "–" when there is nothing to count yet.
export function percentText(percent) {
  return percent === null || percent === undefined ? "–" : `${Math.round(percent)}%`;
}

let toastTimer = null;

// A short message at the bottom of the screen, for errors a teacher should notice but not be blocked by.
export function toast(message, seconds = 6) {
  const box = document.getElementById("toast");
  if (!box) return;
  box.textContent = message;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.hidden = true; }, seconds * 1000);
}

export function formatTime(seconds) {
  if (!seconds) return "";
  return new Date(seconds * 1000).toLocaleString([], {dateStyle: "medium", timeStyle: "short"});
}

// A question's picture, if it has one. Only the appliance's own /images/ URLs are shown.
export function showImage(img, url) {
  const usable = typeof url === "string" && url.startsWith("/images/");
  img.hidden = !usable;
  if (usable && img.getAttribute("src") !== url) img.src = url;
  if (!usable) img.removeAttribute("src");
}
