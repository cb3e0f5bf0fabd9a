// Review queue: "Select all on this page" ticks or clears every log's box. Without JavaScript
// the box stays hidden and "Approve all N on this page…" asks for a confirmation instead.
(function () {
  var wrap = document.querySelector("[data-cp-select-all]");
  if (!wrap) return;
  var all = wrap.querySelector("input");
  var boxes = Array.prototype.slice.call(document.querySelectorAll("[data-cp-log]"));
  wrap.hidden = false;
  all.addEventListener("change", function () {
    boxes.forEach(function (b) { b.checked = all.checked; });
  });
  boxes.forEach(function (b) {
    b.addEventListener("change", function () {
      var n = boxes.filter(function (x) { return x.checked; }).length;
      all.checked = n === boxes.length;
      all.indeterminate = n > 0 && n < boxes.length;
    });
  });
})();
