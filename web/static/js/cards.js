// Printable cards: the download link follows the chosen count, paper size and cards per page.
import {wireLogout} from "./api.js";
import {$} from "./dom.js";

wireLogout();

const maxCards = Number($("main").dataset.cardCount);

function perPage() {
  return Number(document.querySelector("input[name=per-page]:checked").value);
}

function update() {
  const count = Number($("count").value);
  const valid = Number.isInteger(count) && count >= 1 && count <= maxCards;
  const error = $("count-error");
  error.hidden = valid;
  error.textContent = valid ? "" : `Choose a number of cards from 1 to ${maxCards}.`;
  $("count").classList.toggle("invalid", !valid);
  const link = $("download");
  link.hidden = !valid;
  if (!valid) {
    $("page-count").textContent = "";
    return;
  }
  const query = new URLSearchParams({count, page: $("page").value, per_page: perPage()});
  link.href = `/api/v1/cards.pdf?${query}`;
  const pages = Math.ceil(count / perPage());
  $("page-count").textContent = `${count} card${count === 1 ? "" : "s"} on ${pages} page${pages === 1 ? "" : "s"}.`;
}

$("print-form").addEventListener("input", update);
$("print-form").addEventListener("submit", (event) => event.preventDefault());
update();
