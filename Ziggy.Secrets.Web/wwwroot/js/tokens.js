// The access token form's secret picker: the search box filters the list as you type (chosen secrets stay in view).
// Without JavaScript the Filter button asks the server for the filtered list instead.
(function () {
  'use strict';

  function filter(input) {
    const form = input.closest('form');
    const query = input.value.trim().toLowerCase();
    form.querySelectorAll('[data-picker-item]').forEach(function (item) {
      const box = item.querySelector('input[type=checkbox]');
      item.hidden = query !== '' && !(box && box.checked) && !item.dataset.pickerItem.includes(query);
    });
  }

  function setUp(root) {
    root.querySelectorAll('[data-picker-filter]').forEach(function (button) { button.hidden = true; });
    root.querySelectorAll('[data-picker-search]').forEach(function (input) {
      // Enter in the search box filters; it must not submit the form and create a token.
      input.addEventListener('keydown', function (event) { if (event.key === 'Enter') event.preventDefault(); });
      input.addEventListener('input', function () { filter(input); });
      filter(input);
    });
  }

  document.addEventListener('DOMContentLoaded', function () { setUp(document); });
  document.addEventListener('htmx:load', function (event) { if (event.detail.elt.querySelectorAll) setUp(event.detail.elt); });
})();
