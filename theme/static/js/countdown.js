/* Presentation mode's live countdown: ticks on this device's clock. The page itself shows
   the round's fixed time and the countdown at the build's as-of time without this file. */
(function () {
  "use strict";
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick(el) {
    var left = Math.floor((Date.parse(el.getAttribute("data-countdown")) - Date.now()) / 1000);
    if (isNaN(left)) { return; }
    if (left <= 0) { el.textContent = "该轮随机数已产生，请刷新页面或等待抽取结果公布"; return; }
    var d = Math.floor(left / 86400), h = Math.floor(left % 86400 / 3600);
    var m = Math.floor(left % 3600 / 60), s = left % 60;
    el.textContent = "还有 " + (d ? d + " 天 " : "") + pad(h) + ":" + pad(m) + ":" + pad(s) + "（按本机时钟）";
  }
  document.addEventListener("DOMContentLoaded", function () {
    var els = document.querySelectorAll("[data-countdown]");
    if (!els.length) { return; }
    function all() { Array.prototype.forEach.call(els, tick); }
    all();
    window.setInterval(all, 1000);
  });
}());
