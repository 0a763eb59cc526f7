// The mappings editor, over a form that works without this file:
//  - button[data-add-row="inbound|outbound"]: a new empty row at the end of that table (the form always
//    carries one empty row per table, so without this script a row is added by filling that one).
//  - the Preview buttons: the preview is fetched in the background and shown in #preview-result; once a
//    record was previewed, editing a row previews it again, so the effect of a change shows as it is made.
"use strict";

(() => {
  const form = document.getElementById("mapping-editor");
  if (!form) return;
  let lastPreview = null;
  let timer = null;

  function addRow(direction) {
    const body = document.getElementById(`${direction}-rows`);
    const rows = body.querySelectorAll("tr.mapping-row");
    const template = rows[rows.length - 1];
    const index = rows.length;
    const fresh = template.cloneNode(true);
    const old = template.dataset.row;
    const now = `${direction}-${index}`;
    fresh.dataset.row = now;
    fresh.querySelectorAll("[id], [name], [for]").forEach((el) => {
      ["id", "name", "for"].forEach((attr) => {
        const value = el.getAttribute(attr);
        if (value && value.startsWith(old)) el.setAttribute(attr, now + value.slice(old.length));
      });
    });
    fresh.querySelectorAll("input[type=text], input:not([type]), textarea").forEach((el) => { el.value = ""; });
    fresh.querySelectorAll("input[type=checkbox]").forEach((el) => { el.checked = false; });
    fresh.querySelectorAll(".choices-hint").forEach((el) => el.remove());
    fresh.querySelectorAll("label.visually-hidden, .visually-hidden").forEach((el) => {
      el.textContent = el.textContent.replace(/row \d+/, `row ${index + 1}`);
    });
    body.append(fresh);
    fresh.querySelector("input").focus();
  }

  async function preview(action) {
    const target = document.getElementById("preview-result");
    const data = new FormData(form);
    data.set("do", action);
    target.setAttribute("aria-busy", "true");
    target.replaceChildren(Object.assign(document.createElement("p"), { className: "working", textContent: "Fetching the record and running the mappings…" }));
    try {
      const response = await fetch(form.action, { method: "POST", body: new URLSearchParams(data), credentials: "same-origin" });
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.getElementById("preview-result");
      const problems = [...page.querySelectorAll("tr.row-problems, tr.row-warnings")];
      if (fresh) {
        target.replaceChildren(...fresh.childNodes);
      }
      // The rows' own problems, as the server found them on this version of the form.
      form.querySelectorAll("tr.row-problems, tr.row-warnings").forEach((tr) => tr.remove());
      problems.forEach((tr) => {
        const row = form.querySelector(`tr.mapping-row[data-row="${tr.dataset.problemOf}"]`);
        if (row) row.after(document.importNode(tr, true));
      });
      if (!fresh && !problems.length) {
        target.replaceChildren(Object.assign(document.createElement("p"), { className: "problem", textContent: `The console answered ${response.status}; reload the page and try again.` }));
      }
      lastPreview = action;
    } catch (error) {
      target.replaceChildren(Object.assign(document.createElement("p"), { className: "problem", textContent: "The console could not be reached; check the connection and try again." }));
    } finally {
      target.removeAttribute("aria-busy");
    }
  }

  form.querySelectorAll("button[data-add-row]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => addRow(button.dataset.addRow));
  });
  form.addEventListener("submit", (event) => {
    const action = event.submitter && event.submitter.value;
    if (action && action.startsWith("preview")) {
      event.preventDefault();
      preview(action);
    }
  });
  form.addEventListener("input", (event) => {
    if (!lastPreview || !event.target.closest("tr.mapping-row")) return;
    clearTimeout(timer);
    timer = setTimeout(() => preview(lastPreview), 600);
  });
})();
