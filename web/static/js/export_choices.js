// The CSV separator and decimal mark a teacher picks for a download; "As last time" leaves them out, and the
// server uses the teacher's last choice (it remembers each one made).
import {$} from "./dom.js";

export function wireCsvChoice(linkId, baseHref) {
  const update = () => {
    const query = new URLSearchParams();
    if ($("csv-sep").value) query.set("sep", $("csv-sep").value);
    if ($("csv-decimal").value) query.set("decimal", $("csv-decimal").value);
    $(linkId).href = query.size ? `${baseHref}?${query}` : baseHref;
  };
  $("csv-sep").addEventListener("change", update);
  $("csv-decimal").addEventListener("change", update);
  update();
}
