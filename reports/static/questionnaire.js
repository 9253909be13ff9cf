/* mlops-audit questionnaire page: the form's fields -> an answers@1 JSON file, work kept in localStorage.
   No network of any kind. answerFileFromEntries is pure (no DOM, no clock) so tests run it in Node;
   the rest wires it to the page. The importer (mlops-audit questionnaire check) stays the authority:
   the checks here mirror only the cheap ones. */
(function (root) {
  "use strict";
  var NUMBER_OPTION = "#number";
  var NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
  var ROLE_SEPARATORS = /[,;\uFF0C\uFF1B\u3001\n]+/;
  var LARGEST_EXACT = 9007199254740992; /* 2**53: JSON would write 1e16 as a whole number, which the importer refuses */

  function say(meta, key, params) {
    return meta.messages[key].replace(/\{(\w+)\}/g, function (_, name) {
      return params && params[name] != null ? String(params[name]) : "";
    });
  }

  function clean(value) {
    var text = value == null ? "" : String(value).trim();
    return text === "" ? null : text;
  }

  function lines(value) {
    return String(value == null ? "" : value).split(/\r\n|\r|\n/).map(function (s) { return s.trim(); }).filter(Boolean);
  }

  function answerValue(meta, c, choice, numberText, problems) {
    if (choice === "n/a" || choice === "unknown") return choice;
    if (c.type === "number" && (choice === NUMBER_OPTION || (!choice && numberText))) {
      if (!numberText) return null;
      var n = Number(numberText);
      if (!NUMBER.test(numberText) || !isFinite(n)) {
        problems.push(say(meta, "not_a_number", { id: c.id, value: numberText }));
        return null;
      }
      /* Beyond 2**53 the text goes as typed; the importer reads it as the same float a YAML file gives. */
      return Math.abs(n) > LARGEST_EXACT ? numberText : n;
    }
    if (!choice) return null;
    if (c.type === "yes_no" && ["yes", "no", "partial"].indexOf(choice) >= 0) return choice;
    if (c.type === "scale" && /^-?\d+$/.test(choice) && +choice >= c.scale_min && +choice <= c.scale_max) return +choice;
    if (c.type === "choice" && c.choices.indexOf(choice) >= 0) return choice;
    problems.push(say(meta, "bad_value", { id: c.id, value: choice }));
    return null;
  }

  /* The answers@1 file for a form's fields, given as [name, value] pairs in document order (what
     FormData yields), and the problems the importer would also refuse. */
  function answerFileFromEntries(meta, entries) {
    var first = Object.create(null);
    var all = Object.create(null);
    entries.forEach(function (pair) {
      var name = String(pair[0]);
      var value = String(pair[1]);
      if (!(name in first)) first[name] = value;
      (all[name] = all[name] || []).push(value);
    });
    var problems = [];
    function field(name) { return clean(first[name]); }
    function required(name, key) {
      var value = field(name);
      if (value === null) problems.push(say(meta, key));
      else if (value.length > meta.limits[name]) problems.push(say(meta, "too_long", { field: meta.field_names[name], max: meta.limits[name] }));
      return value || "";
    }

    var organisation = { name: required("organisation.name", "organisation_required"), scope: field("organisation.scope") };
    var respondentId = required("respondent.id", "respondent_required");
    var roles = (all["respondent.roles"] || []).filter(function (r, i, list) { return list.indexOf(r) === i; });
    if (!roles.length) problems.push(say(meta, "roles_required"));

    var roster = [];
    for (var row = 0; ("roster." + row + ".person") in first; row++) {
      var at = "roster." + row + ".";
      var person = field(at + "person");
      var personRoles = (first[at + "roles"] || "").split(ROLE_SEPARATORS).map(function (s) { return s.trim(); }).filter(Boolean);
      var team = field(at + "team");
      if (person === null && !personRoles.length && team === null) continue;
      var shown = row + 1;
      if (person === null) problems.push(say(meta, "roster_person", { row: shown }));
      else if (person.length > meta.limits["roster.person"]) problems.push(say(meta, "too_long", { field: meta.field_names["roster.person"], max: meta.limits["roster.person"] }));
      if (!personRoles.length) problems.push(say(meta, "roster_roles", { row: shown }));
      personRoles.forEach(function (role) {
        if (meta.role_names.indexOf(role.toLowerCase()) < 0) problems.push(say(meta, "roster_unknown_role", { row: shown, role: role }));
      });
      roster.push({ person: person || "", roles: personRoles, dedicated: first[at + "dedicated"] !== "no", team: team });
    }

    var answers = [];
    meta.criteria.forEach(function (c) {
      var value = answerValue(meta, c, first["value:" + c.id] || "", clean(first["number:" + c.id]), problems);
      var comment = field("comment:" + c.id);
      var evidence = lines(first["evidence:" + c.id]);
      var proposal = "proposed_by" in c;
      if (value === null && comment === null && !evidence.length && !proposal) return;
      var answer = { criterion: c.id, value: value, comment: comment, evidence: evidence };
      if (proposal) {
        answer.proposed_by = c.proposed_by;
        answer.confirmed = (all["confirmed:" + c.id] || []).indexOf("yes") >= 0;
      }
      answer.question = { fingerprint: c.fingerprint };
      answers.push(answer);
    });

    var file = {
      format: meta.format,
      rubric: meta.rubric,
      organisation: organisation,
      respondent: { id: respondentId, roles: roles, team: field("respondent.team") },
      roster: roster,
      answered_at: field("answered_at"),
      answers: answers
    };
    return { file: file, problems: problems };
  }

  /* The questions asked of any of `roles` (all of them when no role is ticked). */
  function routedIds(meta, roles) {
    return meta.criteria.filter(function (c) {
      return !roles.length || c.roles.some(function (r) { return roles.indexOf(r) >= 0; });
    }).map(function (c) { return c.id; });
  }

  /* Questions with an answer chosen (n/a included; a blank choice is no answer), out of `ids`. */
  function answeredCount(entries, ids) {
    var chosen = {};
    entries.forEach(function (pair) {
      if (pair[0].indexOf("value:") === 0 && pair[1] !== "") chosen[pair[0].slice(6)] = true;
    });
    return ids.filter(function (id) { return chosen[id]; }).length;
  }

  root.mlopsAuditQuestionnaire = { answerFileFromEntries: answerFileFromEntries, routedIds: routedIds, answeredCount: answeredCount };
  if (typeof document === "undefined") return;

  var meta = JSON.parse(document.getElementById("questionnaire-meta").textContent);
  var form = document.getElementById("questionnaire");
  var status = document.getElementById("status");
  var problemList = document.getElementById("problems");
  /* One saved copy per rubric digest, exported page and respondent id: a page exported with other
     answers or proposals never picks up this one's work (an unconfirmed proposal must stay one). */
  var prefix = "mlops-audit:questionnaire:" + meta.rubric.digest + ":" + meta.page + ":";
  var savedKey = null;
  document.getElementById("no-script").hidden = true;

  function entries() {
    return Array.from(new FormData(form).entries()).filter(function (pair) { return typeof pair[1] === "string"; });
  }
  function respondent() { return form.elements["respondent.id"].value.trim(); }
  function show(text, problems) {
    status.textContent = text;
    problemList.textContent = "";
    (problems || []).forEach(function (p) {
      var item = document.createElement("li");
      item.textContent = p;
      problemList.appendChild(item);
    });
  }
  function storage() {
    try {
      var s = root.localStorage;
      s.getItem(prefix);
      return s;
    } catch (e) {
      return null;
    }
  }
  function restore(pairs) {
    var first = Object.create(null);
    pairs.forEach(function (p) { if (!(p[0] in first)) first[p[0]] = p[1]; });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name) return;
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = pairs.some(function (p) { return p[0] === el.name && p[1] === el.value; });
      } else if (el.name in first) {
        el.value = first[el.name];
      }
    });
  }
  function save() {
    var s = storage();
    if (!s) return show(say(meta, "storage_unavailable"));
    var when = new Date().toLocaleString();
    try {
      var key = prefix + "id:" + respondent();
      if (savedKey !== null && savedKey !== key) s.removeItem(savedKey); /* the id was edited: move, not copy */
      s.setItem(key, JSON.stringify({ saved_at: when, entries: entries() }));
      s.setItem(prefix + "last", respondent());
      savedKey = key;
      show(say(meta, "saved", { time: when }));
    } catch (e) {
      show(say(meta, "storage_unavailable"));
    }
  }

  var store = storage();
  if (!store) {
    show(say(meta, "storage_unavailable"));
  } else {
    var id = respondent() || store.getItem(prefix + "last");
    var saved = id === null ? null : store.getItem(prefix + "id:" + id);
    if (saved) {
      try {
        var state = JSON.parse(saved);
        restore(state.entries);
        savedKey = prefix + "id:" + id;
        show(say(meta, "restored", { id: id, time: state.saved_at }));
      } catch (e) { /* a damaged saved copy is ignored: the page keeps what it was exported with */ }
    }
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.addEventListener("input", function (event) {
    var name = event.target.name || "";
    if (name.indexOf("number:") === 0 && event.target.value.trim()) {
      Array.prototype.forEach.call(form.querySelectorAll("input[type=radio]"), function (radio) {
        if (radio.name === "value:" + name.slice(7) && radio.value === NUMBER_OPTION) radio.checked = true;
      });
    }
    save();
  });
  form.addEventListener("change", save);

  /* Only the questions asked of the ticked roles are shown (an answered question always stays);
     the progress line counts answers among the questions shown. */
  var progress = document.getElementById("progress");
  function ticked() {
    return Array.prototype.filter.call(form.querySelectorAll("input[name='respondent.roles']"), function (el) { return el.checked; })
      .map(function (el) { return el.value; });
  }
  function refresh() {
    var pairs = entries();
    var routed = routedIds(meta, ticked());
    var answered = {};
    pairs.forEach(function (p) { if (p[0].indexOf("value:") === 0 && p[1] !== "") answered[p[0].slice(6)] = true; });
    var shown = meta.criteria.map(function (c) { return c.id; }).filter(function (id) { return routed.indexOf(id) >= 0 || answered[id]; });
    var hidden = 0;
    meta.criteria.forEach(function (c) {
      var box = document.getElementById("q-" + c.id);
      if (!box) return;
      box.hidden = shown.indexOf(c.id) < 0;
      if (box.hidden) hidden += 1;
    });
    Array.prototype.forEach.call(document.querySelectorAll("section.domain"), function (section) {
      section.hidden = !section.querySelector("fieldset.question:not([hidden])");
    });
    progress.textContent = say(meta, "progress", { answered: answeredCount(pairs, shown), total: shown.length }) +
      (hidden ? " " + say(meta, "hidden", { count: hidden }) : "");
  }
  form.addEventListener("change", refresh);
  form.addEventListener("input", refresh);
  refresh();
  document.getElementById("print").addEventListener("click", function () { root.print(); });
  document.getElementById("discard").addEventListener("click", function () {
    var s = storage();
    if (s) {
      if (savedKey !== null) s.removeItem(savedKey);
      if (s.getItem(prefix + "last") === respondent()) s.removeItem(prefix + "last");
    }
    root.location.reload();
  });
  document.getElementById("download").addEventListener("click", function () {
    var result = answerFileFromEntries(meta, entries());
    if (result.problems.length) return show(say(meta, "fix_first"), result.problems);
    var name = "answers-" + result.file.respondent.id.replace(/[^A-Za-z0-9._-]+/g, "_") + ".json";
    var blob = new Blob([JSON.stringify(result.file, null, 2) + "\n"], { type: "application/json" });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
    show(say(meta, "downloaded", { file: name }));
  });
})(typeof window !== "undefined" ? window : globalThis);
