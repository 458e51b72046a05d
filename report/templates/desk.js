/* The index's lists: sort by a column, filter by region and year. Plain DOM, no library, no network.
   Without JavaScript the lists read the same, newest first. */
(function () {
  "use strict";
  var tables = Array.prototype.slice.call(document.querySelectorAll("table.desk"));
  var regionSections = Array.prototype.slice.call(document.querySelectorAll("section.region[data-region]"));
  var form = document.getElementById("desk-filters");
  var region = document.getElementById("filter-region");
  var year = document.getElementById("filter-year");

  function value(cell, kind) {
    var raw = cell.hasAttribute("data-value") ? cell.getAttribute("data-value") : cell.textContent.trim();
    if (kind === "number") {
      var n = parseFloat(raw);
      return isNaN(n) ? -Infinity : n;
    }
    return raw;
  }

  function sortBy(table, column, kind, header) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    rows.sort(function (a, b) {
      var x = value(a.cells[column], kind), y = value(b.cells[column], kind);
      var order = kind === "number" ? x - y : String(x).localeCompare(String(y), "zh-CN");
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) { th.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  tables.forEach(function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
      var kind = th.getAttribute("data-sort");
      if (!kind) { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, column, kind, th); });
    });
  });

  function applyFilters() {
    var r = region.value, y = year.value;
    tables.forEach(function (table) {
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        row.hidden = (r !== "" && row.getAttribute("data-region") !== r) ||
                     (y !== "" && row.getAttribute("data-year") !== y);
      });
    });
    regionSections.forEach(function (section) {
      section.hidden = r !== "" && section.getAttribute("data-region") !== r;
    });
  }

  if (form && region && year) {
    form.hidden = false;
    region.addEventListener("change", applyFilters);
    year.addEventListener("change", applyFilters);
  }
}());
