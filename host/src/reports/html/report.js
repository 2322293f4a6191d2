(function () {
  "use strict";
  var panel = document.getElementById("filters");
  if (!panel) { return; }
  panel.hidden = false;
  var boxes = panel.querySelectorAll("input[type=checkbox]");
  var search = document.getElementById("search");
  var shown = document.getElementById("shown");
  var items = document.querySelectorAll("[data-outcome]");
  function apply() {
    var on = {};
    var i;
    for (i = 0; i < boxes.length; i++) { on[boxes[i].value] = boxes[i].checked; }
    var needle = search.value.trim().toLowerCase();
    var count = 0;
    var rows = 0;
    for (i = 0; i < items.length; i++) {
      var el = items[i];
      var show = on[el.getAttribute("data-outcome")] !== false &&
        (needle === "" || el.getAttribute("data-name").toLowerCase().indexOf(needle) >= 0);
      el.classList.toggle("off", !show);
      if (el.tagName === "TR") { rows++; if (show) { count++; } }
    }
    shown.textContent = count + " of " + rows + " rows shown";
  }
  for (var i = 0; i < boxes.length; i++) { boxes[i].addEventListener("change", apply); }
  search.addEventListener("input", apply);
  apply();
}());
