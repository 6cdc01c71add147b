/* Forms that help: a filter over a list of checkboxes, details opened by a link into them, the
   minimum wage in force on a job's start date. Delegated from the document, so content that
   htmx swaps in is covered too; without this script every form still works as plain fields. */
"use strict";

// A list of checkboxes with a filter box ([data-client-picker]): the box shows once this script
// runs; typing keeps the rows whose label contains the words typed (ticked rows always stay).
function showFilters(root) {
  root.querySelectorAll("[data-client-filter-box]").forEach((box) => { box.hidden = false; });
}

function filterPicker(input) {
  const picker = input.closest("[data-client-picker]");
  if (!picker) return;
  const words = input.value.toLocaleLowerCase().split(/\s+/).filter(Boolean);
  let shown = 0;
  picker.querySelectorAll(".form-check").forEach((row) => {
    const text = row.textContent.toLocaleLowerCase();
    const ticked = row.querySelector("input:checked") !== null;
    const match = ticked || words.every((word) => text.includes(word));
    row.hidden = !match;
    if (match) shown += 1;
  });
  const empty = picker.querySelector("[data-client-filter-empty]");
  if (empty) empty.hidden = shown > 0;
}

document.addEventListener("input", (event) => {
  if (event.target instanceof HTMLInputElement && event.target.hasAttribute("data-client-filter")) {
    filterPicker(event.target);
  }
});

// Enter in the filter box must not send the form.
document.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && event.target instanceof HTMLInputElement
      && event.target.hasAttribute("data-client-filter")) {
    event.preventDefault();
  }
});

// <a href="#id" data-opens-details>: open the <details> holding the target, then go there.
document.addEventListener("click", (event) => {
  const link = event.target instanceof Element ? event.target.closest("a[data-opens-details]") : null;
  if (!link) return;
  const target = document.getElementById(link.getAttribute("href").slice(1));
  const details = target ? target.closest("details") : null;
  if (details) details.open = true;
});

// The job form: the program's minimum wage in force on the start date. The wage field carries
// the schedule (data-minimum-wages: [[effective_on, hourly], …] oldest first); the text beside
// it ([data-minimum-wage]) follows the start date as it changes.
function wageInForce(schedule, day) {
  if (!schedule.length) return null;
  let wage = schedule[0][1];
  schedule.forEach(([effective, hourly]) => { if (effective <= day) wage = hourly; });
  return wage;
}

document.addEventListener("change", (event) => {
  const field = event.target;
  if (!(field instanceof HTMLInputElement) || field.name !== "started_on" || !field.form) return;
  const wageField = field.form.querySelector("[data-minimum-wages]");
  const text = field.form.querySelector("[data-minimum-wage]");
  if (!wageField || !text || !field.value) return;
  const wage = wageInForce(JSON.parse(wageField.dataset.minimumWages), field.value);
  if (wage !== null) {
    text.textContent = `The program's minimum wage on ${field.value}: $${wage}. ` +
      "A job paying less (with tips or commission) is not competitive.";
  }
});

// The team-meeting form: choosing another team swaps in that program's attendees and clients
// (htmx). What was ticked or picked while they were loading is put back where still offered.
let meetingPicks = null;
document.addEventListener("htmx:beforeSwap", (event) => {
  const form = document.getElementById("team-meeting-form");
  if (!form || !form.contains(event.detail.target)) return;
  meetingPicks = {
    selects: [...form.querySelectorAll("select[name^=client_]")].map((s) => [s.name, s.value]),
    attendees: [...form.querySelectorAll("input[name=attendees]:checked")].map((i) => i.value),
  };
});

document.addEventListener("htmx:afterSettle", () => {
  const form = document.getElementById("team-meeting-form");
  if (!form || !meetingPicks) return;
  meetingPicks.selects.forEach(([name, value]) => {
    const select = form.querySelector(`select[name="${name}"]`);
    if (select && value && [...select.options].some((option) => option.value === value)) {
      select.value = value;
    }
  });
  form.querySelectorAll("input[name=attendees]").forEach((box) => {
    if (meetingPicks.attendees.includes(box.value)) box.checked = true;
  });
});

showFilters(document);
document.addEventListener("htmx:load", (event) => showFilters(event.detail.elt));
