// mlops-audit serve: autosave of a respondent's answers. Inlined (CSP hash); talks only to its own
// origin. Each change is sent as one answer with the version the page last saw; the server refuses
// a stale version (409) rather than overwrite someone else's save, and the page says so.
(function () {
  "use strict";
  var metaEl = document.getElementById("page-meta");
  if (!metaEl) { return; }
  var meta = JSON.parse(metaEl.textContent);
  var timers = {};

  function fieldsOf(box) {
    return {
      value: box.querySelector("[data-field=value]"),
      comment: box.querySelector("[data-field=comment]"),
      evidence: box.querySelector("[data-field=evidence]"),
      status: box.querySelector(".status")
    };
  }

  function say(box, text, cls) {
    var s = fieldsOf(box).status;
    s.textContent = text;
    s.className = "status " + (cls || "");
  }

  function save(box) {
    var f = fieldsOf(box);
    var version = box.getAttribute("data-version");
    var body = {
      value: f.value.value === "" ? null : f.value.value,
      comment: f.comment.value,
      evidence: f.evidence.value.split("\n").map(function (x) { return x.trim(); }).filter(function (x) { return x; }),
      base_version: version === "" ? null : parseInt(version, 10)
    };
    say(box, meta.messages.saving);
    fetch(meta.api + encodeURIComponent(box.getAttribute("data-criterion")), {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": meta.csrf },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (r) {
      if (r.ok) {
        box.setAttribute("data-version", String(r.data.version));
        say(box, meta.messages.saved, "ok");
      } else {
        say(box, r.data.error || meta.messages.failed, "error");
      }
    }).catch(function () { say(box, meta.messages.failed, "error"); });
  }

  function schedule(box) {
    var id = box.getAttribute("data-criterion");
    clearTimeout(timers[id]);
    timers[id] = setTimeout(function () { save(box); }, 400);
  }

  var boxes = document.querySelectorAll(".question[data-criterion]");
  Array.prototype.forEach.call(boxes, function (box) {
    box.addEventListener("change", function () { schedule(box); });
    box.addEventListener("input", function (e) { if (e.target.tagName !== "SELECT") { schedule(box); } });
  });
  var note = document.getElementById("no-script");
  if (note) { note.hidden = true; }
})();
