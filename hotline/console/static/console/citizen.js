// The citizen's request form: say that the place is marked once the map was tapped.
(function () {
  "use strict";
  var form = document.getElementById("report");
  if (!form) return;
  var lat = form.querySelector("[name=lat]");
  var marked = form.querySelector("[data-marked]");
  lat.addEventListener("input", function () { marked.hidden = !lat.value; });
})();
