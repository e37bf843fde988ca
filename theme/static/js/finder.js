/* The exact finder: a plain substring match over the build-time list in data/finder.js
   (window.SUIJI_FINDER = {base, enterprises: [[code, slug, name]], tasks: [[id, slug, name]]}).
   Exact by construction: an entry is shown if and only if its name, code or id contains
   the text typed (codes and ids compared without case). */
(function () {
  "use strict";
  var LIMIT = 200;
  function contains(hay, q) { return hay.toLowerCase().indexOf(q) !== -1; }
  function find(data, raw) {
    var q = raw.trim().toLowerCase();
    if (!q) { return []; }
    var out = [];
    (data.enterprises || []).forEach(function (e) {
      if (contains(e[0], q) || contains(e[2], q)) {
        out.push({ href: "enterprise/" + e[1] + "/", text: e[2] + "（" + e[0] + "）" });
      }
    });
    (data.tasks || []).forEach(function (t) {
      if (contains(t[0], q) || contains(t[2], q)) {
        out.push({ href: "task/" + t[1] + "/", text: "任务 " + t[0] + "：" + t[2] });
      }
    });
    return out;
  }
  window.suijiFind = find;
  document.addEventListener("DOMContentLoaded", function () {
    var data = window.SUIJI_FINDER;
    var form = document.querySelector("form.finder");
    if (!data || !form) { return; }
    var input = document.getElementById("q");
    var list = document.getElementById("finder-results");
    var status = document.getElementById("finder-status");
    var base = document.querySelector('script[src$="data/finder.js"]').getAttribute("src").replace(/data\/finder\.js$/, "");
    form.hidden = false;
    form.addEventListener("submit", function (ev) { ev.preventDefault(); });
    function show() {
      var hits = find(data, input.value);
      list.textContent = "";
      hits.slice(0, LIMIT).forEach(function (h) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = base + h.href;
        a.textContent = h.text;
        li.appendChild(a);
        list.appendChild(li);
      });
      status.textContent = input.value.trim() ?
        "找到 " + hits.length + " 项" + (hits.length > LIMIT ? "，显示前 " + LIMIT + " 项" : "") : "";
    }
    input.addEventListener("input", show);
    var q = new URLSearchParams(window.location.search).get("q");
    if (q) { input.value = q; }
    show();
  });
}());
