// Storefeed web: live updates from the streaming API (docs/api.md, "Streaming"). Progressive
// enhancement: without this file (or without EventSource) every page works, showing what was
// true when it was read. Signed in, the page follows the reader's `user` stream (new posts,
// notifications, product cards); signed out, a page with product cards follows
// `storefeed/products`. No inline script, no eval: the page says where to connect in
// data-stream-* attributes on <body>.
(function () {
  "use strict";

  var body = document.body;
  var base = body && body.getAttribute("data-stream");
  if (!base || typeof window.EventSource !== "function") return;
  var signedIn = body.getAttribute("data-stream-user") === "1";
  var lang = body.getAttribute("data-stream-lang") || "";

  function products(id) {
    return document.querySelectorAll('[data-live-product="' + id + '"]');
  }

  function setBuy(card, product) {
    var buy = card.querySelector(".btn-buy");
    if (!buy || card.classList.contains("product-page")) {
      var form = card.querySelector(".buy-form");
      if (form) form.hidden = !product.available;
      return;
    }
    var isLink = buy.tagName === "A";
    if (product.available === isLink) return;
    var swap;
    if (product.available) {
      swap = document.createElement("a");
      swap.className = "btn btn-primary btn-buy";
      var post = card.closest("[data-status-id]");
      swap.href = product.buy_url + (post ? "?from=" + post.getAttribute("data-status-id") : "");
      swap.setAttribute("data-testid", "buy");
    } else {
      swap = document.createElement("span");
      swap.className = "btn btn-ghost btn-buy disabled";
      swap.setAttribute("aria-disabled", "true");
    }
    swap.textContent = buy.textContent;
    buy.replaceWith(swap);
  }

  function onProduct(product) {
    products(product.id).forEach(function (card) {
      var price = card.querySelector(".product-price");
      if (price && product.price_text) price.textContent = product.price_text;
      var state = card.querySelector(".product-state");
      if (state) {
        state.textContent = product.state;
        state.classList.toggle("off", !product.available);
      }
      if (card.classList.contains("product-card")) {
        card.classList.toggle("unavailable", !product.available);
      }
      card.setAttribute("data-stock", product.stock === null ? "" : String(product.stock));
      setBuy(card, product);
    });
  }

  // "N new posts" on the home timeline: posts that entered the reader's home since the page
  // was read. The bar is a link that reads the home again.
  var fresh = {};
  var freshCount = 0;
  function onUpdate(status) {
    var bar = document.querySelector("[data-new-posts]");
    if (!bar || fresh[status.id]) return;
    if (document.querySelector('[data-status-id="' + status.id + '"]')) return;
    fresh[status.id] = true;
    freshCount += 1;
    var text = freshCount === 1 ? bar.getAttribute("data-one") : bar.getAttribute("data-many");
    bar.textContent = (text || "").replace("__N__", String(freshCount));
    bar.hidden = false;
  }

  function onNotification() {
    var tab = document.querySelector('[data-testid="nav-notifications"]');
    if (!tab || tab.classList.contains("active")) return;
    var badge = tab.querySelector(".badge");
    if (!badge) {
      badge = document.createElement("b");
      badge.className = "badge";
      badge.setAttribute("data-testid", "unread-badge");
      badge.textContent = "0";
      tab.appendChild(badge);
    }
    var count = parseInt(badge.textContent, 10);
    if (isNaN(count)) return; // "99+" stays
    badge.textContent = count + 1 > 99 ? "99+" : String(count + 1);
  }

  function parse(event) {
    try {
      return JSON.parse(event.data);
    } catch (error) {
      return null;
    }
  }

  var path = signedIn ? "/api/v1/streaming/user" : "/api/v1/streaming/storefeed/products";
  if (!signedIn && !document.querySelector("[data-live-product]")) return;
  var source = new EventSource(base + path + "?lang=" + encodeURIComponent(lang), {
    withCredentials: signedIn,
  });
  source.addEventListener("storefeed.product", function (event) {
    var product = parse(event);
    if (product) onProduct(product);
  });
  source.addEventListener("update", function (event) {
    var status = parse(event);
    if (status) onUpdate(status);
  });
  source.addEventListener("notification", onNotification);
  window.addEventListener("pagehide", function () { source.close(); });
})();
