// The import dialog: opens when htmx fills it, reads a chosen file into the text field (the file itself is never
// uploaded as such), and reloads the grid's rows after an import. The text leaves the browser only in the form posts.
(function () {
  'use strict';

  const dialog = document.getElementById('import-dialog');

  if (dialog) {
    document.body.addEventListener('htmx:afterSwap', (e) => {
      if (e.detail.target === dialog && !dialog.open) dialog.showModal();
    });
    // The text is dropped with the dialog's content when it closes, so it does not linger in the page.
    dialog.addEventListener('close', () => { dialog.replaceChildren(); });
  }

  document.addEventListener('click', (e) => {
    if (e.target.closest('[data-close-import]')) {
      if (dialog && dialog.open) dialog.close();
      else window.location.assign('/Secrets');
    }
  });

  // Taking a suggested name imports the row under it; deselecting the row drops the suggestion too.
  document.addEventListener('change', (e) => {
    const row = e.target.closest('tr[data-name]');
    if (!row || !(e.target instanceof HTMLInputElement)) return;
    const select = row.querySelector('input[name="Input.Selected"]');
    const accept = row.querySelector('input[name="Input.Accept"]');
    if (e.target === accept && select && !select.disabled) select.checked = accept.checked;
    if (e.target === select && accept && !select.checked) accept.checked = false;
  });

  document.addEventListener('change', (e) => {
    const input = e.target.closest('[data-import-file]');
    if (!input || !input.files || input.files.length === 0) return;
    const text = input.form.querySelector('textarea[name="Input.Text"]');
    input.files[0].text().then((content) => {
      text.value = content;
      input.value = '';
    });
  });

  document.body.addEventListener('secrets-imported', () => {
    const grid = document.getElementById('secrets-grid');
    if (grid && window.ziggySecretsGrid && window.ziggyGrids) window.ziggyGrids.loadRows(window.ziggySecretsGrid, grid);
  });
})();
