// A quiz's item analysis over every ended lesson of the teacher's that used it (GET /quizzes/{id}/item-analysis),
// drawn as on the results page.
import {api, wireLogout} from "./api.js";
import {$, toast} from "./dom.js";
import {renderItemAnalysis} from "./item_analysis.js";

const quizId = Number($("main").dataset.quizId);
wireLogout();
$("print-button").addEventListener("click", () => window.print());

async function load() {
  const [quiz, analysis] = await Promise.all([api(`/quizzes/${quizId}`), api(`/quizzes/${quizId}/item-analysis`)]);
  document.title = `Argus · ${quiz.title} · item analysis`;
  $("analysis-heading").textContent = `Item analysis: ${quiz.title}`;
  $("analysis-subtitle").textContent = analysis.sessions === 1 ? "1 ended lesson"
    : `${analysis.sessions} ended lessons`;
  renderItemAnalysis($("item-analysis"), analysis, (index) => `Question ${index + 1}`);
}

load().catch((failure) => {
  $("analysis-subtitle").textContent = "Could not load the item analysis";
  toast(failure.message);
});
