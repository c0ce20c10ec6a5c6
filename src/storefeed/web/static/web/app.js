// Storefeed web: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  function updateCounter(textarea) {
    var counter = document.querySelector('[data-counter-for="' + textarea.id + '"]');
    if (!counter) return;
    var max = parseInt(textarea.getAttribute("data-counter"), 10) || 2000;
    // Count characters as people do (an emoji or a Chinese character is one).
    var left = max - Array.from(textarea.value.normalize("NFC")).length;
    counter.textContent = String(left);
    counter.classList.toggle("over", left < 0);
    var form = textarea.form;
    if (form) {
      form.classList.toggle("has-input", textarea.value.length > 0);
      var submit = form.querySelector('[type="submit"]');
      if (submit) submit.disabled = left < 0;
    }
  }

  function gridClass(n) {
    return n <= 1 ? "grid-1" : n <= 4 ? "grid-2" : "grid-3";
  }

  function renderPreview(input) {
    var form = input.form;
    var preview = form && form.querySelector("[data-preview]");
    var warning = form && form.querySelector("[data-too-many]");
    if (!preview) return;
    var max = parseInt(input.getAttribute("data-max"), 10) || 9;
    var files = Array.from(input.files || []);
    preview.querySelectorAll("img").forEach(function (img) { URL.revokeObjectURL(img.src); });
    preview.innerHTML = "";
    preview.className = "preview nine-grid " + gridClass(files.length);
    preview.hidden = files.length === 0;
    if (warning) warning.hidden = files.length <= max;
    var submit = form.querySelector('[type="submit"]');
    if (submit) submit.disabled = files.length > max;
    files.forEach(function (file, index) {
      var cell = document.createElement("div");
      cell.className = "cell";
      cell.setAttribute("data-testid", "preview-image");
      var img = document.createElement("img");
      img.alt = file.name;
      if (file.type.indexOf("image/") === 0) img.src = URL.createObjectURL(file);
      var remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = "×";
      remove.setAttribute("aria-label", "Remove");
      remove.addEventListener("click", function () {
        var kept = new DataTransfer();
        files.forEach(function (f, i) { if (i !== index) kept.items.add(f); });
        input.files = kept.files;
        renderPreview(input);
      });
      cell.appendChild(img);
      cell.appendChild(remove);
      preview.appendChild(cell);
    });
  }

  document.addEventListener("input", function (event) {
    var t = event.target;
    if (t.matches && t.matches("textarea[data-counter]")) updateCounter(t);
  });
  document.addEventListener("change", function (event) {
    var t = event.target;
    if (t.matches && t.matches('input[type="file"][name="images"]')) renderPreview(t);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-counter]").forEach(updateCounter);
  });
  // A button with data-clear-after="#field" empties that field once its htmx request worked
  // (the item picker's "Preview"); in this file, not an hx-on attribute, for the CSP.
  document.addEventListener("htmx:afterRequest", function (event) {
    var source = event.detail && event.detail.elt;
    var selector = source && source.getAttribute && source.getAttribute("data-clear-after");
    if (!selector || !event.detail.successful) return;
    var field = source.form ? source.form.querySelector(selector) : document.querySelector(selector);
    if (field) field.value = "";
  });
  document.addEventListener("focusin", function (event) {
    var t = event.target;
    if (t.matches && t.matches("[data-select-on-focus]")) t.select();
  });
  // Close an open "more" menu when clicking elsewhere.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.more[open]").forEach(function (d) {
      if (!d.contains(event.target)) d.removeAttribute("open");
    });
  });
})();
