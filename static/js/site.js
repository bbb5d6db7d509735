// Behaviour the pages share, kept out of the HTML: the Content-Security-Policy
// runs no inline script and htmx evaluates no attribute (allowEval is off).
(function () {
  "use strict";

  // A refusal the server draws for the page (400 bad input, 403 not allowed,
  // 409 already done) replaces the target like a success does, instead of
  // being dropped as an error: inside any element marked data-swap-refusals.
  var SHOWN_REFUSALS = [400, 403, 409];
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target || event.target;
    if (!target || !target.closest || !target.closest("[data-swap-refusals]")) {
      var source = event.detail.elt || event.target;
      if (!source || !source.closest || !source.closest("[data-swap-refusals]")) {
        return;
      }
    }
    if (SHOWN_REFUSALS.indexOf(event.detail.xhr.status) !== -1) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // After an htmx action in a part of the page the server draws again
  // ([data-refocus]: the moderation queue's lists, the reviewers' list, an
  // idea's moderation panel), the button that had focus is gone with the old
  // part: focus goes to that part's heading (its aria-labelledby: it says the
  // new count), and the page's live region says what was done. A refusal
  // that keeps the button keeps the focus where it was.
  var refocused = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var source = event.detail.elt;
    var part = source && source.closest ? source.closest("[data-refocus][id]") : null;
    refocused = part ? part.id : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    var focused = document.activeElement;
    if (!refocused || (focused && focused !== document.body && document.contains(focused))) {
      return;
    }
    var part = document.getElementById(refocused);
    var heading = part && document.getElementById(part.getAttribute("aria-labelledby"));
    if (heading) {
      heading.focus();
    }
  });

  // After an htmx vote or withdrawal, the swapped button carries the voter's
  // votes left (data-votes-left): the other Support buttons of its campaign
  // on the page become unavailable at 0, with their reason, and available again above.
  document.addEventListener("htmx:load", function (event) {
    var box = event.detail.elt;
    if (!box || !box.matches || !box.matches(".vote[data-votes-left]")) {
      return;
    }
    var none = box.getAttribute("data-votes-left") === "0";
    var campaign = box.getAttribute("data-campaign");
    document.querySelectorAll('button.vote-support[data-campaign="' + campaign + '"]').forEach(function (button) {
      var reason = button.parentNode.querySelector(".vote-unavailable");
      button.disabled = none;
      if (reason) {
        reason.hidden = !none;
        if (none) {
          button.setAttribute("aria-describedby", reason.id);
        } else {
          button.removeAttribute("aria-describedby");
        }
      }
    });
  });

  // A new campaign's address follows its title as it is typed (as Django's
  // slugify makes it), until the manager edits the address by hand; emptied,
  // it follows again. Without JavaScript the server makes it from the title.
  function slugify(text) {
    return text
      .normalize("NFKD")
      .replace(/[^\x00-\x7F]/g, "")
      .toLowerCase()
      .replace(/[^\w\s-]/g, "")
      .replace(/[-\s]+/g, "-")
      .replace(/^[-_]+|[-_]+$/g, "");
  }
  document.querySelectorAll("input[data-slug-from]").forEach(function (slug) {
    var title = document.getElementById(slug.getAttribute("data-slug-from"));
    if (!title) {
      return;
    }
    var follows = slug.value === "" || slug.value === slugify(title.value);
    title.addEventListener("input", function () {
      if (follows) {
        slug.value = slugify(title.value).slice(0, slug.maxLength > 0 ? slug.maxLength : undefined).replace(/[-_]+$/, "");
      }
    });
    slug.addEventListener("input", function () {
      follows = slug.value === "";
    });
  });

  // A table wider than the screen scrolls inside its .table-scroll box: the
  // box then becomes a region a keyboard reaches (Tab, then the arrow keys),
  // named after the table's caption; checked again when the window resizes.
  function reachableScrolls() {
    document.querySelectorAll(".table-scroll").forEach(function (box) {
      var caption = box.querySelector("caption");
      if (box.scrollWidth > box.clientWidth) {
        box.setAttribute("tabindex", "0");
        if (caption) {
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", caption.textContent.trim());
        }
      } else {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }
  reachableScrolls();
  window.addEventListener("resize", reachableScrolls);
  document.addEventListener("htmx:load", reachableScrolls);
})();
