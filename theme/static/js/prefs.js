/* Age-friendly switches: large text and high contrast, remembered in localStorage.
   The page is complete without this file; the buttons are shown only when it runs. */
(function () {
  "use strict";
  var root = document.documentElement;
  var KEYS = { large: "suiji.large", contrast: "suiji.contrast" };
  function stored(name) {
    try { return window.localStorage.getItem(KEYS[name]) === "1"; } catch (e) { return false; }
  }
  function apply(name, on) {
    root.classList.toggle(name, on);
    var b = document.querySelector('[data-pref="' + name + '"]');
    if (b) { b.setAttribute("aria-pressed", on ? "true" : "false"); }
  }
  Object.keys(KEYS).forEach(function (name) { root.classList.toggle(name, stored(name)); });
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector(".prefs");
    if (!box) { return; }
    box.hidden = false;
    Object.keys(KEYS).forEach(function (name) { apply(name, stored(name)); });
    box.addEventListener("click", function (ev) {
      var b = ev.target.closest("[data-pref]");
      if (!b) { return; }
      var name = b.getAttribute("data-pref");
      var on = !root.classList.contains(name);
      apply(name, on);
      try { window.localStorage.setItem(KEYS[name], on ? "1" : "0"); } catch (e) { /* private mode */ }
    });
  });
}());
