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
    // Descriptions typed so far, by file, survive a re-render (a removed image).
    var typed = new Map();
    preview.querySelectorAll("[data-file-key]").forEach(function (field) {
      typed.set(field.getAttribute("data-file-key"), field.value);
    });
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
      var isVideo = file.type.indexOf("video/") === 0;
      var img = document.createElement(isVideo ? "video" : "img");
      img.alt = file.name;
      if (isVideo) img.muted = true;
      if (isVideo || file.type.indexOf("image/") === 0) img.src = URL.createObjectURL(file);
      var remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = "×";
      remove.setAttribute("aria-label", input.getAttribute("data-remove-label") || "Remove");
      var key = file.name + ":" + file.size + ":" + file.lastModified;
      var describe = document.createElement("input");
      describe.type = "text";
      describe.name = "descriptions";
      describe.maxLength = 1500;
      describe.className = "describe";
      describe.setAttribute("data-file-key", key);
      describe.setAttribute("data-testid", "describe-image");
      describe.placeholder = input.getAttribute("data-describe-label") || "";
      describe.setAttribute("aria-label", describe.placeholder);
      describe.value = typed.get(key) || "";
      describe.addEventListener("input", function () { img.alt = describe.value || file.name; });
      remove.addEventListener("click", function () {
        var kept = new DataTransfer();
        files.forEach(function (f, i) { if (i !== index) kept.items.add(f); });
        input.files = kept.files;
        renderPreview(input);
      });
      cell.appendChild(img);
      cell.appendChild(remove);
      cell.appendChild(describe);
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
  // The image viewer: a post's (or a product's) images full size, one at a time, swiped or
  // stepped through with the arrows; Escape or the close button ends it. Without JavaScript a
  // tap opens the image itself.
  var viewer = null;
  function openViewer(links, index) {
    if (!viewer) {
      viewer = document.createElement("dialog");
      viewer.className = "viewer";
      viewer.setAttribute("data-testid", "image-viewer");
      viewer.innerHTML =
        '<img alt="">' +
        '<button type="button" class="viewer-prev" aria-label="‹">‹</button>' +
        '<button type="button" class="viewer-next" aria-label="›">›</button>' +
        '<button type="button" class="viewer-close" aria-label="×">×</button>' +
        '<p class="viewer-count" aria-live="polite"></p>';
      document.body.appendChild(viewer);
      viewer.addEventListener("click", function (event) {
        if (event.target === viewer) viewer.close();
      });
      viewer.querySelector(".viewer-close").addEventListener("click", function () { viewer.close(); });
      viewer.querySelector(".viewer-prev").addEventListener("click", function () { viewer.step(-1); });
      viewer.querySelector(".viewer-next").addEventListener("click", function () { viewer.step(1); });
      viewer.addEventListener("keydown", function (event) {
        if (event.key === "ArrowLeft") viewer.step(-1);
        if (event.key === "ArrowRight") viewer.step(1);
      });
      var startX = null;
      viewer.addEventListener("touchstart", function (event) { startX = event.touches[0].clientX; }, { passive: true });
      viewer.addEventListener("touchend", function (event) {
        if (startX === null) return;
        var dx = event.changedTouches[0].clientX - startX;
        startX = null;
        if (Math.abs(dx) > 40) viewer.step(dx < 0 ? 1 : -1);
      });
    }
    viewer.links = links;
    viewer.index = index;
    viewer.step = function (by) {
      var n = viewer.links.length;
      viewer.index = (viewer.index + by + n) % n;
      var link = viewer.links[viewer.index];
      var img = viewer.querySelector("img");
      img.src = link.getAttribute("data-viewer");
      var thumb = link.querySelector("img");
      img.alt = (thumb && thumb.alt) || link.getAttribute("aria-label") || "";
      viewer.querySelector(".viewer-count").textContent = (viewer.index + 1) + " / " + n;
      viewer.querySelector(".viewer-prev").hidden = n < 2;
      viewer.querySelector(".viewer-next").hidden = n < 2;
    };
    viewer.step(0);
    if (!viewer.open) viewer.showModal();
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-viewer]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || !window.HTMLDialogElement) return;
    // A post's nine-grid, or a product page's gallery.
    var grid = link.closest("[data-testid='media-grid'], [data-viewer-group]");
    if (!grid || grid.closest("details:not([open])")) return;
    event.preventDefault();
    var links = Array.from(grid.querySelectorAll("a[data-viewer]"));
    openViewer(links, links.indexOf(link));
  });

  // A product's images: a drop zone for dragged files, previews in the order they will be
  // shown (the first is the cover), each movable earlier or later and removable. The order
  // lives in the file input itself, so the form posts as it would without this script.
  function setFiles(input, files) {
    var kept = new DataTransfer();
    files.forEach(function (f) { kept.items.add(f); });
    input.files = kept.files;
    renderPicker(input);
  }
  function renderPicker(input) {
    var list = input.pickerList;
    var files = Array.from(input.files || []);
    list.querySelectorAll("img").forEach(function (img) { URL.revokeObjectURL(img.src); });
    list.innerHTML = "";
    files.forEach(function (file, index) {
      var item = document.createElement("li");
      item.setAttribute("data-testid", "picked-image");
      var img = document.createElement("img");
      img.alt = file.name;
      img.src = URL.createObjectURL(file);
      item.appendChild(img);
      [["earlier", -1, "‹"], ["later", 1, "›"], ["remove", 0, "×"]].forEach(function (spec) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = spec[2];
        button.setAttribute("data-move", spec[0]);
        button.setAttribute("aria-label", input.getAttribute("data-" + spec[0] + "-label") || spec[0]);
        var to = index + spec[1];
        button.disabled = spec[1] !== 0 && (to < 0 || to >= files.length);
        button.addEventListener("click", function () {
          var next = files.slice();
          if (spec[1] === 0) next.splice(index, 1);
          else { next.splice(index, 1); next.splice(to, 0, file); }
          setFiles(input, next);
        });
        item.appendChild(button);
      });
      list.appendChild(item);
    });
  }
  function enhancePicker(input) {
    if (input.pickerList) return;
    var zone = document.createElement("div");
    zone.className = "drop-zone";
    zone.setAttribute("data-testid", "drop-zone");
    zone.textContent = input.getAttribute("data-drop-label") || "";
    zone.tabIndex = 0;
    zone.setAttribute("role", "button");
    var list = document.createElement("ol");
    list.className = "picked-images";
    input.pickerList = list;
    input.classList.add("sr");
    input.insertAdjacentElement("afterend", list);
    input.insertAdjacentElement("afterend", zone);
    zone.addEventListener("click", function () { input.click(); });
    zone.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); input.click(); } });
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (e) { e.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (e) {
      e.preventDefault();
      var max = parseInt(input.getAttribute("data-max"), 10) || 9;
      var dropped = Array.from(e.dataTransfer.files).filter(function (f) { return f.type.indexOf("image/") === 0; });
      setFiles(input, Array.from(input.files || []).concat(dropped).slice(0, max));
    });
    input.addEventListener("change", function () { renderPicker(input); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-image-picker]").forEach(enhancePicker);
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
