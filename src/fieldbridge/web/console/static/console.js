// FieldBridge console: small enhancements over plain HTML forms, which all work without this file.
//  - form[data-async="ID"]: sent in the background; the element #ID of the answer replaces #ID here,
//    so a long action (a check, the reference sheet) never blocks the page and nothing typed is lost.
//  - form[data-autoload]: sent once as soon as the page is ready.
//  - button[data-copy="ID"]: copies the text of #ID to the clipboard.
"use strict";

function announce(text) {
  const status = document.getElementById("live-status");
  if (status) status.textContent = text;
}

async function sendInBackground(form, submitter) {
  const target = document.getElementById(form.dataset.async);
  if (!target) return form.submit();
  const method = (form.getAttribute("method") || "get").toUpperCase();
  const data = new FormData(form, submitter || undefined);
  let url = form.getAttribute("action") || window.location.pathname;
  const init = { method, credentials: "same-origin", headers: { "X-Requested-With": "fetch" } };
  if (method === "GET") {
    url += (url.includes("?") ? "&" : "?") + new URLSearchParams(data).toString();
  } else {
    init.body = new URLSearchParams(data);
  }
  const buttons = form.querySelectorAll("button");
  buttons.forEach((b) => { b.disabled = true; });
  target.setAttribute("aria-busy", "true");
  const working = form.dataset.working || "Working…";
  target.replaceChildren(Object.assign(document.createElement("p"), { className: "working", textContent: working }));
  announce(working);
  try {
    const response = await fetch(url, init);
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = page.getElementById(target.id);
    if (fresh) {
      target.replaceChildren(...fresh.childNodes);
    } else {
      target.replaceChildren(Object.assign(document.createElement("p"), {
        className: "problem", textContent: `The console answered ${response.status}; reload the page and try again.`,
      }));
    }
    announce(form.dataset.done || "Done.");
    bind(target);
  } catch (error) {
    target.replaceChildren(Object.assign(document.createElement("p"), {
      className: "problem", textContent: "The console could not be reached; check the connection and try again.",
    }));
    announce("Failed.");
  } finally {
    target.removeAttribute("aria-busy");
    buttons.forEach((b) => { b.disabled = false; });
  }
}

async function copy(button) {
  const source = document.getElementById(button.dataset.copy);
  if (!source) return;
  const text = source.value !== undefined ? source.value : source.textContent;
  try {
    await navigator.clipboard.writeText(text);
  } catch (error) {
    // Without the asynchronous clipboard (a page not served over https): select and copy.
    if (source.select) source.select();
    document.execCommand("copy");
  }
  const label = button.textContent;
  button.textContent = "Copied";
  announce("Copied to the clipboard.");
  setTimeout(() => { button.textContent = label; }, 2000);
}

function bind(root) {
  root.querySelectorAll("form[data-async]").forEach((form) => {
    if (form.dataset.bound) return;
    form.dataset.bound = "1";
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      sendInBackground(form, event.submitter);
    });
  });
  root.querySelectorAll("button[data-copy]").forEach((button) => {
    if (button.dataset.bound) return;
    button.dataset.bound = "1";
    button.hidden = false;
    button.addEventListener("click", () => copy(button));
  });
  root.querySelectorAll("form[data-autoload]").forEach((form) => {
    if (form.dataset.loaded) return;
    form.dataset.loaded = "1";
    form.requestSubmit();
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const status = Object.assign(document.createElement("div"), { id: "live-status", className: "visually-hidden" });
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  document.body.append(status);
  bind(document);
});
