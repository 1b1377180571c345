// Rules page: check the edited config as you type (the server validates, runs the tests and
// backtests; its answer is an escaped HTML fragment put in place of the results).
(function () {
  "use strict";
  var form = document.getElementById("rules-form");
  var text = document.getElementById("config-text");
  var days = document.getElementById("days");
  var results = document.getElementById("results");
  if (!form || !text || !results) { return; }
  var timer = null;
  var sequence = 0;
  function check() {
    var mine = ++sequence;
    results.classList.add("busy");
    fetch("/rules/check", {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Newsbot-Fragment": "1" },
      credentials: "same-origin"
    }).then(function (response) { return response.text(); })
      .then(function (html) {
        if (mine !== sequence) { return; }
        results.innerHTML = html;
        results.classList.remove("busy");
      })
      .catch(function () { results.classList.remove("busy"); });
  }
  function later() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(check, 400);
  }
  // "Go to topic": select the topic's id line in the editor and scroll it to the top.
  Array.prototype.forEach.call(document.querySelectorAll("button.jump"), function (button) {
    button.addEventListener("click", function () {
      var found = new RegExp("^\\s*-?\\s*id:\\s*[\"']?" + button.dataset.topic.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "[\"']?\\s*$", "m").exec(text.value);
      if (!found) { return; }
      var start = found.index + found[0].length - found[0].trimStart().length;
      text.focus();
      text.setSelectionRange(start, found.index + found[0].length);
      var lines = text.value.slice(0, start).split("\n").length - 1;
      text.scrollTop = lines * parseFloat(getComputedStyle(text).lineHeight);
    });
  });
  text.addEventListener("input", later);
  days.addEventListener("input", later);
})();
