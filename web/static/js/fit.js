// Shrinks a box's font until its content fits without scrolling: the projector shows any question on one
// screen, whatever the length of its text and options. The box's font-size is calc(var(--fit) * base).

const STEP = 0.94;
const SMALLEST = 0.3;

function overflows(box) {
  return box.scrollHeight > box.clientHeight + 1 || box.scrollWidth > box.clientWidth + 1;
}

export function fitToBox(box) {
  let fit = 1;
  box.style.setProperty("--fit", "1");
  while (overflows(box) && fit > SMALLEST) {
    fit *= STEP;
    box.style.setProperty("--fit", fit.toFixed(3));
  }
  box.dataset.fit = fit.toFixed(3);
  return fit;
}
