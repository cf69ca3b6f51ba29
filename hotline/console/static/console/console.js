// The console's few behaviours: keyboard shortcuts, live queue updates, error toasts and
// the intake form's autosave. Everything else is htmx attributes in the templates.
(function () {
  "use strict";

  // Keys: F8/F9 (and Ctrl+Enter) press the buttons that name them in data-key.
  document.addEventListener("keydown", function (event) {
    var key = event.key;
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName);
    if (typing && key.length === 1 && !event.ctrlKey) return;  // a digit typed is text
    if (!typing && (key === "ArrowDown" || key === "ArrowUp")) return moveInQueue(event, key);
    if (event.ctrlKey && key === "Enter") key = "Ctrl+Enter";
    var button = document.querySelector('[data-key="' + key + '"]');
    if (button && !button.disabled) {
      event.preventDefault();
      button.click();
    }
  });

  // Queues: arrow keys move between rows, Enter opens the row's order.
  function moveInQueue(event, key) {
    var rows = Array.prototype.slice.call(document.querySelectorAll("#queue tbody tr[data-number]"));
    if (!rows.length) return;
    var current = rows.indexOf(document.activeElement.closest ? document.activeElement.closest("tr") : null);
    var next = rows[Math.max(0, Math.min(rows.length - 1, current + (key === "ArrowDown" ? 1 : -1)))];
    event.preventDefault();
    next.querySelector("a").focus();
  }

  // Pickers: a category chosen from the search results; an earlier answer inserted.
  document.addEventListener("click", function (event) {
    var choice = event.target.closest("[data-pick-category]");
    if (choice) {
      var form = choice.closest("form");
      form.querySelector("[name=category]").value = choice.dataset.pickCategory;
      document.getElementById("category-label").textContent = choice.dataset.label;
      document.getElementById("category-choices").innerHTML = "";
      form.querySelector("[name=category]").dispatchEvent(new Event("input", { bubbles: true }));
    }
    var answer = event.target.closest("[data-insert-answer]");
    if (answer) {
      var field = document.getElementById("id_answer");
      field.value = answer.dataset.insertAnswer;
      // Which knowledge item answered (and its place in the list) is recorded with the order.
      var form = field.closest("form");
      form.querySelector("[name=knowledge_version]").value = answer.dataset.knowledgeVersion || "";
      form.querySelector("[name=knowledge_rank]").value = answer.dataset.knowledgeRank || "";
      field.dispatchEvent(new Event("input", { bubbles: true }));
      field.focus();
    }
  });

  // The knowledge editor: each kind shows its own details only.
  function showKindFields(select) {
    document.querySelectorAll("[data-kinds]").forEach(function (input) {
      var field = input.closest(".field");
      if (field) field.hidden = input.dataset.kinds.split(" ").indexOf(select.value) < 0;
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches("#knowledge-form [name=kind]")) showKindFields(event.target);
  });

  // Drafting: what the caller said fills the form (type, category, place, summary, flags);
  // the operator checks and corrects. Fields already typed are never overwritten; what the
  // draft suggested is kept in hidden fields so the server records the corrections.
  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    if (className) node.className = className;
    return node;
  }
  function percent(value) { return value === null || value === undefined ? "" : " " + Math.round(value * 100) + "%"; }
  function chooseCategory(form, hint) {
    form.querySelector("[name=category]").value = hint.code;
    document.getElementById("category-label").textContent = (hint.path_name || hint.name) + " — " + hint.reason;
    form.dispatchEvent(new Event("input", { bubbles: true }));
  }
  function fillDraft(form, draft) {
    function setIfEmpty(name, value) {
      var field = form.querySelector("[name=" + name + "]");
      if (field && value && !field.value) { field.value = value; field.dispatchEvent(new Event("input", { bubbles: true })); }
    }
    function setHidden(name, value) { var field = form.querySelector("[name=" + name + "]"); if (field) field.value = value || ""; }
    var panel = document.getElementById("draft-panel");
    var low = panel.dataset.low;
    setIfEmpty("title", draft.title);
    setIfEmpty("content", (draft.summary && draft.summary.text) || document.getElementById("transcript").value);
    setIfEmpty("address", draft.address);
    var area = form.querySelector("[name=area]");
    if (draft.area_code && area && !area.value && area.querySelector('option[value="' + draft.area_code + '"]')) area.value = draft.area_code;
    if (draft.lat && draft.lng && !form.querySelector("[name=lat]").value) {
      form.querySelector("[name=lat]").value = draft.lat;
      form.querySelector("[name=lng]").value = draft.lng;
      document.querySelectorAll("[data-map]").forEach(function (map) {
        map.dispatchEvent(new CustomEvent("hotline:place", { detail: { lat: draft.lat, lng: draft.lng } }));
      });
    }
    var type = draft.request_type;
    if (type && !form.querySelector("[name=request_type]:checked")) {
      var radio = form.querySelector("[name=request_type][value=" + type.value + "]");
      if (radio) radio.checked = true;
    }
    var category = form.querySelector("[name=category]");
    if (draft.categories.length && !category.value) chooseCategory(form, draft.categories[0]);
    if (draft.urgency !== "normal") { var u = form.querySelector("[name=urgency][value=" + draft.urgency + "]"); if (u) u.checked = true; }
    if (draft.is_confidential) form.querySelector("[name=is_confidential]").checked = true;
    if (draft.is_enterprise) { var c = form.querySelector("[name=caller_kind][value=company]"); if (c) c.checked = true; }
    if (draft.suggested_answer) setIfEmpty("answer", draft.suggested_answer);
    setHidden("draft_version", draft.model_version);
    setHidden("draft_request_type", type && type.value);
    setHidden("draft_category", draft.categories.length ? draft.categories[0].code : "");
    setHidden("draft_area", draft.area_code);

    // The panel: each guess with its confidence and reason; doubt is shown, never hidden.
    panel.hidden = false;
    var slot = function (name) { var node = panel.querySelector("[data-slot=" + name + "]"); node.innerHTML = ""; return node; };
    var typeSlot = slot("type");
    if (type) {
      typeSlot.appendChild(element("strong", type.label + percent(type.confidence)));
      if (!type.is_confident) typeSlot.appendChild(element("span", low, "badge warn"));
      typeSlot.appendChild(element("span", " " + type.reason, "muted"));
    }
    slot("summary").textContent = (draft.summary && draft.summary.text) || "";
    var categories = slot("categories");
    draft.categories.forEach(function (hint) {
      var item = element("li");
      var button = element("button", (hint.path_name || hint.name) + percent(hint.confidence), "pick");
      button.type = "button";
      button.addEventListener("click", function () { chooseCategory(form, hint); });
      item.appendChild(button);
      if (hint.confidence !== null && !hint.is_confident) item.appendChild(element("span", low, "badge warn"));
      item.appendChild(element("small", " " + hint.reason, "muted"));
      categories.appendChild(item);
    });
    var units = slot("units");
    draft.units.forEach(function (unit) {
      var item = element("li");
      var names = [unit.name].concat(unit.co_units.map(function (co) { return "+" + co.name; }));
      item.appendChild(element("strong", names.join(" ")));
      item.appendChild(element("small", " " + unit.reason, "muted"));
      units.appendChild(item);
    });
    slot("meta").textContent = (draft.model_version ? "v" + draft.model_version + " · " : "") + draft.elapsed_ms + " ms";

    var notes = document.getElementById("draft-notes");
    notes.innerHTML = "";
    if (draft.emergency) {
      var alarm = element("p", draft.emergency.reason + "（" + draft.emergency.cue + "）", "message error");
      alarm.setAttribute("role", "alert"); alarm.id = "draft-emergency";
      notes.appendChild(alarm);
      var service = form.querySelector("[name=transfer_to]");
      if (service && !service.value) service.value = draft.emergency.service;
      var transfer = document.getElementById("transfer");
      if (transfer) { transfer.open = true; transfer.scrollIntoView({ block: "nearest" }); }
    }
    draft.notes.forEach(function (text) { notes.appendChild(element("p", text, "muted")); });
    form.dispatchEvent(new Event("input", { bubbles: true }));
    document.body.dispatchEvent(new CustomEvent("hotline:drafted"));  // the knowledge panel follows
  }
  function requestDraft(button) {
    var form = button.closest("form");
    var body = new URLSearchParams();
    body.set("transcript", document.getElementById("transcript").value);
    body.set("content", form.querySelector("[name=content]").value);
    var csrf = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
    button.disabled = true;
    fetch(button.dataset.draftUrl, { method: "POST", body: body, headers: { "X-CSRFToken": csrf } })
      .then(function (response) { return response.json(); })
      .then(function (draft) { fillDraft(form, draft); })
      .finally(function () { button.disabled = false; });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("#draft-button");
    if (button) requestDraft(button);
  });
  // A pasted online message drafts at once; so does the end of a call, which the telephony
  // side announces with the event "hotline:call-ended" on the document.
  function draftNow() {
    var button = document.getElementById("draft-button");
    if (button) setTimeout(function () { requestDraft(button); }, 0);
  }
  document.addEventListener("paste", function (event) {
    if (event.target.matches("#transcript, #id_content")) draftNow();
  });
  document.addEventListener("hotline:call-ended", draftNow);

  // Live updates: the server says when the queue on screen changed; elements with
  // hx-trigger="queue-changed from:body" reload themselves.
  function listen() {
    var source = document.body.dataset.live;
    if (!source || !window.EventSource) return;
    var stream = new EventSource(source);
    stream.addEventListener("queue", function () {
      document.body.dispatchEvent(new CustomEvent("queue-changed"));
      var badge = document.getElementById("live-state");
      if (badge) badge.textContent = badge.dataset.updated + " " + new Date().toLocaleTimeString();
    });
  }

  // A refused htmx request shows the server's message (a structured error or a page).
  document.addEventListener("htmx:responseError", function (event) {
    var text = event.detail.xhr.responseText || "";
    try {
      var error = JSON.parse(text).error;
      text = error.message;
    } catch (e) {
      var doc = new DOMParser().parseFromString(text, "text/html");
      var message = doc.querySelector("[data-message]");
      text = message ? message.textContent : event.detail.xhr.status + " " + event.detail.xhr.statusText;
    }
    var toast = document.getElementById("toast");
    toast.textContent = text;
    setTimeout(function () { toast.textContent = ""; }, 8000);
  });
  document.addEventListener("htmx:sendError", function () {
    document.getElementById("toast").textContent = document.body.dataset.offline || "Offline";
  });

  // Autosave: forms with data-autosave keep what was typed in the browser (it survives an
  // expired session or a closed tab) and restore it when the form comes back empty.
  function autosave(form) {
    var key = "hotline-draft:" + form.dataset.autosave;
    var fields = form.querySelectorAll("input[name], textarea[name], select[name]");
    var saved = null;
    try { saved = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { saved = null; }
    var isEmpty = Array.prototype.every.call(form.querySelectorAll("textarea[name]"), function (f) { return !f.value; });
    if (saved && isEmpty && !form.dataset.submitted) {
      fields.forEach(function (field) {
        if (!(field.name in saved) || field.type === "hidden" && field.name === "csrfmiddlewaretoken") return;
        if (field.type === "radio" || field.type === "checkbox") field.checked = saved[field.name] === field.value || saved[field.name] === true && field.type === "checkbox";
        else field.value = saved[field.name];
      });
    }
    form.addEventListener("input", function () {
      var data = {};
      fields.forEach(function (field) {
        if (field.name === "csrfmiddlewaretoken") return;
        if (field.type === "radio") { if (field.checked) data[field.name] = field.value; }
        else if (field.type === "checkbox") data[field.name] = field.checked;
        else data[field.name] = field.value;
      });
      localStorage.setItem(key, JSON.stringify(data));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    listen();
    // A draft that was just submitted is forgotten before any form restores it.
    document.querySelectorAll("[data-clear-draft]").forEach(function (el) {
      localStorage.removeItem("hotline-draft:" + el.dataset.clearDraft);
    });
    document.querySelectorAll("form[data-autosave]").forEach(autosave);
    var kind = document.querySelector("#knowledge-form [name=kind]");
    if (kind) showKindFields(kind);
  });
})();
