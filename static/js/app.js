/* Behaviour of the pages, kept out of the HTML: the Content-Security-Policy allows no inline
   scripts or event handler attributes. Delegated from the document, so it also covers content
   that htmx swaps in. */
"use strict";

// <select data-autosubmit>: submit its form as soon as another option is chosen.
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit") && field.form) {
    field.form.requestSubmit();
  }
});

// An htmx answer with `HX-Trigger: form-reset` (an item added in place): empty the form that
// sent it, ready for the next one.
document.addEventListener("form-reset", (event) => {
  if (event.target instanceof HTMLFormElement) {
    event.target.reset();
  }
});
