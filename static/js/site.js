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
})();
