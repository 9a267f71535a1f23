// Connector form (admin): show the "Lấy dữ liệu qua HTTP" fieldset only for the pull kinds,
// and the records path only for JSON REST. A file (no inline script: the CSP forbids it).
"use strict";
(function () {
  function update() {
    var kind = document.getElementById("id_kind");
    if (!kind) { return; }
    var pull = kind.value !== "FILE";
    document.querySelectorAll("fieldset.pull-fields").forEach(function (set) {
      set.hidden = !pull;
    });
    document.querySelectorAll(".field-records_path").forEach(function (row) {
      row.hidden = kind.value !== "HTTP_JSON";
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var kind = document.getElementById("id_kind");
    if (kind) { kind.addEventListener("change", update); }
    update();
  });
})();
