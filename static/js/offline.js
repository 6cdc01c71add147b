/* Nothing typed is lost, and nothing logged without a signal either.

   Drafts: a form marked `data-draft` keeps what is typed in sessionStorage, under the user's id,
   the page and the form's address, encrypted with the user's device key (the page's
   `data-device-key`, sent only to that user logged in). sessionStorage lives as long as the tab:
   it survives an idle logout and the login that follows in the same tab, so the form comes back
   filled ("Draft restored"), and it is gone when the tab is closed. A draft is removed when its
   form is saved (the answer marks itself `data-draft-saved`) and all drafts are removed at logout.

   Outbox: a form marked `data-outbox="<API address>"` sent without a signal (the browser says it
   is offline, or the request could not be sent) is kept in IndexedDB, encrypted with the same key,
   and sent to the API when the signal returns, with the form's Idempotency-Key: sent twice, it is
   stored once. A key the API refuses as used (422) was used by the form's own post, which
   therefore arrived: the item is done. The outbox outlives a logout (it is unreadable without
   logging in again as its user) and is sent at the next login.

   Also registers the service worker (static/js/sw.js). */
"use strict";

(() => {
  const body = document.body;
  const user = body.dataset.user || "";
  const DRAFT = "ips-draft:";
  const NOT_TYPED = new Set(["csrfmiddlewaretoken", "idempotency_key"]);
  const NOT_FIELDS = new Set(["hidden", "password", "file", "submit", "button", "reset"]);
  // Fields of the page's form that the API does not take (it refuses unknown fields).
  const FORM_ONLY = new Set(["employer_page", "where"]);

  // --- The device key --------------------------------------------------------------------------

  const toBase64 = (bytes) => btoa(String.fromCharCode(...bytes));
  const fromBase64 = (text) => Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));
  let keyPromise = null;

  function deviceKey() {
    if (keyPromise === null) {
      keyPromise = crypto.subtle.importKey(
        "raw", fromBase64(body.dataset.deviceKey), "AES-GCM", false, ["encrypt", "decrypt"],
      );
    }
    return keyPromise;
  }

  async function seal(value) {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const plain = new TextEncoder().encode(JSON.stringify(value));
    const data = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await deviceKey(), plain);
    return { iv: toBase64(iv), data: toBase64(new Uint8Array(data)) };
  }

  async function unseal(sealed) {
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: fromBase64(sealed.iv) }, await deviceKey(), fromBase64(sealed.data),
    );
    return JSON.parse(new TextDecoder().decode(plain));
  }

  // --- Form fields -----------------------------------------------------------------------------

  const typedFields = (form) =>
    [...form.elements].filter((el) => el.name && !NOT_TYPED.has(el.name) && !NOT_FIELDS.has(el.type));
  // One of a list of checkboxes (the clients of an employer contact): its value is the choice.
  const isChoice = (el) => el.type === "checkbox" && el.hasAttribute("value") && el.value !== "on";

  function valuesOf(form) {
    const values = {};
    for (const el of typedFields(form)) {
      if (isChoice(el)) {
        values[el.name] = [...(values[el.name] || []), ...(el.checked ? [el.value] : [])];
      } else if (el.type === "checkbox") {
        values[el.name] = el.checked;
      } else if (el.type === "select-multiple") {
        values[el.name] = [...el.selectedOptions].map((option) => option.value);
      } else {
        values[el.name] = el.value;
      }
    }
    return values;
  }

  function fill(form, values) {
    for (const el of typedFields(form)) {
      if (!(el.name in values)) {
        continue;
      }
      const value = values[el.name];
      if (isChoice(el)) {
        el.checked = Array.isArray(value) && value.includes(el.value);
      } else if (el.type === "checkbox") {
        el.checked = value;
      } else if (el.type === "select-multiple") {
        for (const option of el.options) {
          option.selected = value.includes(option.value);
        }
      } else {
        el.value = value;
      }
      const folded = el.closest("details");
      if (folded && value && el.type !== "checkbox" && el.value !== el.defaultValue) {
        folded.open = true; // a restored note is not left out of sight
      }
    }
  }

  function within(root, selector) {
    const found = [...root.querySelectorAll(selector)];
    return root.matches && root.matches(selector) ? [root, ...found] : found;
  }

  // --- Drafts ----------------------------------------------------------------------------------

  const draftKey = (form) =>
    `${DRAFT}${user}:${location.pathname}:${new URL(form.action, location.href).pathname}`;
  const draftKeys = () => Object.keys(sessionStorage).filter((key) => key.startsWith(DRAFT));
  const writes = new Map(); // the latest write of each draft wins over slower earlier ones

  async function saveDraft(form) {
    const key = draftKey(form);
    const turn = (writes.get(key) || 0) + 1;
    writes.set(key, turn);
    const sealed = await seal({ values: valuesOf(form) });
    if (writes.get(key) === turn) {
      sessionStorage.setItem(key, JSON.stringify(sealed));
    }
  }

  function clearDraft(form) {
    const key = draftKey(form);
    writes.set(key, (writes.get(key) || 0) + 1);
    sessionStorage.removeItem(key);
  }

  // A note above the form (one at a time): a draft restored, or a record kept in the outbox.
  function notice(form, text, outbox = false) {
    const shown = form.parentElement.querySelector("[data-draft-notice]");
    const note = shown || document.createElement("p");
    note.className = "alert alert-info py-1 px-2 small mb-2";
    note.setAttribute("role", "status");
    note.setAttribute("data-draft-notice", "");
    note.toggleAttribute("data-outbox-notice", outbox);
    note.textContent = text;
    if (!shown) {
      form.before(note);
    }
  }

  async function restoreDrafts(root) {
    for (const form of within(root, "form[data-draft]")) {
      if (form.closest("[data-draft-saved]")) {
        clearDraft(form); // saved: the draft has done its work
        continue;
      }
      const stored = sessionStorage.getItem(draftKey(form));
      if (stored === null || form.hasAttribute("data-draft-bound")) {
        continue; // nothing kept, or the server sent the form back with what was typed
      }
      try {
        fill(form, (await unseal(JSON.parse(stored))).values);
        notice(form, "Draft restored. It is not saved until you send it.");
      } catch (error) {
        sessionStorage.removeItem(draftKey(form)); // not this user's key: unreadable
      }
    }
  }

  // A draft of a form the page loads on demand (a caseload row's log, a client's employer log):
  // open it, and the form restores itself when it arrives.
  function openDraftedForms() {
    const prefix = `${DRAFT}${user}:${location.pathname}:`;
    for (const key of draftKeys().filter((each) => each.startsWith(prefix))) {
      const action = key.slice(prefix.length);
      for (const details of document.querySelectorAll("details[hx-get]")) {
        if (new URL(details.getAttribute("hx-get"), location.href).pathname === action) {
          details.open = true;
        }
      }
    }
  }

  // --- The outbox ------------------------------------------------------------------------------

  const STORE = "items";

  function database() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open("ips-outbox", 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "key" });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async function inStore(mode, work) {
    const db = await database();
    return new Promise((resolve, reject) => {
      const transaction = db.transaction(STORE, mode);
      const request = work(transaction.objectStore(STORE));
      transaction.oncomplete = () => {
        db.close();
        resolve(request.result);
      };
      transaction.onerror = () => {
        db.close();
        reject(transaction.error);
      };
    });
  }

  const allItems = () => inStore("readonly", (items) => items.getAll());
  const putItem = (item) => inStore("readwrite", (items) => items.put(item));
  const deleteItem = (key) => inStore("readwrite", (items) => items.delete(key));
  const myItems = async () =>
    (await allItems()).filter((item) => item.user === user).sort((a, b) => a.created - b.created);

  // The form's input as the API takes it: numbers as numbers, boxes as true or false, lists as
  // lists, empty fields left out (the API's defaults, as the form's).
  function apiBody(form) {
    const data = form.dataset.outboxClient ? { client: Number(form.dataset.outboxClient) } : {};
    // Hidden fields too (the employer, fixed on an employer's page), but not the form's own.
    const fields = [...form.elements].filter(
      (el) =>
        el.name &&
        !NOT_TYPED.has(el.name) &&
        !FORM_ONLY.has(el.name) &&
        (el.type === "hidden" || !NOT_FIELDS.has(el.type)),
    );
    for (const el of fields) {
      if (isChoice(el)) {
        data[el.name] = [...(data[el.name] || []), ...(el.checked ? [el.value] : [])];
      } else if (el.type === "checkbox") {
        data[el.name] = el.checked;
      } else if (el.type === "select-multiple") {
        data[el.name] = [...el.selectedOptions].map((option) => option.value);
      } else if (el.value.trim() !== "") {
        data[el.name] = el.type === "number" ? Number(el.value) : el.value;
      }
    }
    return data;
  }

  function labelOf(form) {
    const purpose = form.elements.purpose;
    const chosen = purpose && purpose.selectedOptions[0] ? purpose.selectedOptions[0].text : "";
    const minutes = form.elements.minutes && form.elements.minutes.value;
    const on = form.elements.contacted_on ? form.elements.contacted_on.value : "";
    return `${form.dataset.outboxKind}: ${chosen}${minutes ? `, ${minutes} min` : ""}, ${on}`;
  }

  async function keep(form) {
    const field = form.elements.idempotency_key;
    const key = field && field.value ? field.value : crypto.randomUUID();
    const sealed = await seal({ body: apiBody(form), label: labelOf(form) });
    await putItem({ key, user, url: form.dataset.outbox, created: Date.now(), ...sealed });
    clearDraft(form);
    form.reset();
    if (field) {
      field.value = crypto.randomUUID(); // the next record is another request
    }
    notice(form, "No signal: kept on this phone, to be sent when the signal returns.", true);
    await showOutbox();
  }

  async function errorText(response) {
    try {
      const answer = await response.json();
      return Object.values(answer).flat().join(" ");
    } catch (error) {
      return `refused (${response.status})`;
    }
  }

  let sending = false;

  async function send() {
    if (!user || sending || !navigator.onLine) {
      return;
    }
    sending = true;
    let sent = 0;
    try {
      const token = JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
      for (const item of (await myItems()).filter((each) => !each.error)) {
        let response;
        try {
          response = await fetch(item.url, {
            method: "POST",
            credentials: "same-origin",
            headers: {
              "Content-Type": "application/json",
              Accept: "application/json",
              "X-CSRFToken": token,
              "Idempotency-Key": item.key,
            },
            body: JSON.stringify((await unseal(item)).body),
          });
        } catch (error) {
          break; // still no signal: the next time
        }
        if (response.status === 201 || response.status === 422) {
          await deleteItem(item.key); // stored now, or by the form's own post
          sent += 1;
        } else if (response.status === 400 || response.status === 404) {
          item.error = await errorText(response); // shown, for the user to discard
          await putItem(item);
        } else {
          break; // logged out, or the server is busy: the next time
        }
      }
    } finally {
      sending = false;
    }
    if (sent && (await myItems()).length === 0) {
      document.querySelectorAll("[data-outbox-notice]").forEach((note) => note.remove());
    }
    if (sent) {
      const done = document.getElementById("outbox-sent");
      if (done) {
        done.textContent = `${sent} sent from this phone's outbox.`;
        done.hidden = false;
      }
    }
    await showOutbox();
  }

  async function showOutbox() {
    const count = document.getElementById("outbox-count");
    const box = document.getElementById("outbox");
    if (!count) {
      return;
    }
    if (!user) {
      // The offline page: how many wait, whoever logged them (it can read none of them).
      const all = (await allItems()).length;
      count.textContent = all ? `${all} waiting to be sent.` : "Nothing is waiting to be sent.";
      return;
    }
    const items = await myItems();
    const rows = await Promise.all(items.map(outboxRow));
    document.getElementById("outbox-items").replaceChildren(...rows);
    const waiting = items.filter((item) => !item.error).length;
    const refused = items.length - waiting;
    count.textContent = [
      waiting ? `${waiting} waiting to be sent` : "",
      refused ? `${refused} could not be sent` : "",
    ].filter(Boolean).join("; ");
    box.hidden = items.length === 0;
  }

  async function outboxRow(item) {
    const row = document.createElement("li");
    let label = "A record that cannot be read";
    try {
      label = (await unseal(item)).label;
    } catch (error) {
      // kept: it may be read again once the key is back
    }
    row.textContent = item.error ? `${label} — not sent: ${item.error} ` : label;
    if (item.error) {
      const discard = document.createElement("button");
      discard.type = "button";
      discard.className = "btn btn-link btn-sm p-0 align-baseline";
      discard.dataset.outboxDiscard = item.key;
      discard.textContent = "Discard";
      row.append(discard);
    }
    return row;
  }

  // --- Wiring ----------------------------------------------------------------------------------

  if ("serviceWorker" in navigator && body.dataset.serviceWorker) {
    navigator.serviceWorker.register(body.dataset.serviceWorker, { scope: "/" }).catch(() => {});
  }

  if (!user) {
    if (body.hasAttribute("data-offline-page")) {
      showOutbox();
    }
    return;
  }

  // Another user's drafts in this tab are nobody's business here.
  for (const key of draftKeys().filter((each) => !each.startsWith(`${DRAFT}${user}:`))) {
    sessionStorage.removeItem(key);
  }

  const draftOf = (event) => {
    const form = event.target.form;
    if (form instanceof HTMLFormElement && form.hasAttribute("data-draft")) {
      saveDraft(form);
    }
  };
  document.addEventListener("input", draftOf);
  document.addEventListener("change", draftOf);

  document.addEventListener("htmx:load", (event) => {
    const root = event.detail.elt;
    restoreDrafts(root);
    if (root === body) {
      openDraftedForms();
    }
  });

  // Without a signal, the outbox takes the form before htmx does (capture, on the document).
  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      if (form instanceof HTMLFormElement && form.hasAttribute("data-logout")) {
        draftKeys().forEach((key) => sessionStorage.removeItem(key));
        return;
      }
      if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-outbox") || navigator.onLine) {
        return;
      }
      event.preventDefault();
      event.stopPropagation();
      if (form.checkValidity()) {
        keep(form);
      } else {
        form.reportValidity();
      }
    },
    true,
  );

  // A signal that drops while the form is on its way.
  document.addEventListener("htmx:sendError", (event) => {
    const form = event.detail.elt;
    if (form instanceof HTMLFormElement && form.hasAttribute("data-outbox")) {
      keep(form);
    }
  });

  document.addEventListener("click", async (event) => {
    const discard = event.target.closest("[data-outbox-discard]");
    if (discard) {
      await deleteItem(discard.dataset.outboxDiscard);
      await showOutbox();
    }
  });

  window.addEventListener("online", send);
  showOutbox().then(send);
})();
