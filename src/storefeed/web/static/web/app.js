// Storefeed web: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  // Times on the pages are shown in the browser's time zone unless the account chose one:
  // the server reads this cookie (web.middleware.LocalTimeMiddleware) from the next page on.
  (function rememberTimeZone() {
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
    if (!zone || document.cookie.indexOf("tz=" + encodeURIComponent(zone)) !== -1) return;
    document.cookie = "tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; samesite=lax";
  })();

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
  // Close an open "more" menu when clicking elsewhere.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.more[open]").forEach(function (d) {
      if (!d.contains(event.target)) d.removeAttribute("open");
    });
  });
})();
