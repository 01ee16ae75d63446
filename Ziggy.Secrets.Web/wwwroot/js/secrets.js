// The Secrets page: AG Grid over the rows handler, the htmx editor beside it (over it on a phone), and what keeps an
// edit from being lost. No value or mask ever reaches this script: rows hold names, owners and Yes/No flags only, and
// the value fields only ever hold what the person typed.
(function () {
  'use strict';

  const gridElement = document.getElementById('secrets-grid');
  if (!gridElement) return;
  const layout = document.querySelector('.secrets-layout');
  const editor = document.getElementById('editor');
  const narrow = window.matchMedia('(max-width: 900px)');

  // ---- Asking before something is lost: one dialog, a question and two answers; the safe answer has the focus.
  const confirmDialog = document.getElementById('confirm-dialog');
  function ask(question, yes, no) {
    return new Promise((resolve) => {
      confirmDialog.querySelector('#confirm-question').textContent = question;
      confirmDialog.querySelector('[data-answer=yes]').textContent = yes;
      confirmDialog.querySelector('[data-answer=no]').textContent = no;
      const answered = (e) => {
        const button = e.target.closest('[data-answer]');
        if (!button) return;
        confirmDialog.removeEventListener('click', answered);
        confirmDialog.removeEventListener('cancel', cancelled);
        confirmDialog.close();
        resolve(button.dataset.answer === 'yes');
      };
      const cancelled = () => {
        confirmDialog.removeEventListener('click', answered);
        confirmDialog.removeEventListener('cancel', cancelled);
        resolve(false);
      };
      confirmDialog.addEventListener('click', answered);
      confirmDialog.addEventListener('cancel', cancelled);
      confirmDialog.showModal();
      confirmDialog.querySelector('[data-answer=no]').focus();
    });
  }

  // ---- The grid.
  // Yes/No columns: the cell keeps the word; a missing value ("No") stands out on an amber badge.
  const yesNoBadge = (p) => {
    const badge = document.createElement('span');
    badge.className = p.value === 'No' ? 'badge value-no' : 'badge value-yes';
    badge.textContent = p.value;
    return badge;
  };

  // The Yes/No columns' filter: All, Yes or No (AG Grid's filter component interface).
  class YesNoFilter {
    init(params) {
      this.params = params;
      this.choice = 'all';
      this.gui = document.createElement('fieldset');
      this.gui.className = 'yes-no-filter';
      const legend = document.createElement('legend');
      legend.textContent = params.colDef.headerName;
      this.gui.append(legend);
      for (const [value, label] of [['all', 'All'], ['Yes', 'Yes'], ['No', 'No']]) {
        const option = document.createElement('label');
        const radio = document.createElement('input');
        radio.type = 'radio';
        radio.name = `yes-no-${params.colDef.colId}`;
        radio.value = value;
        radio.checked = value === 'all';
        radio.addEventListener('change', () => {
          this.choice = value;
          params.filterChangedCallback();
        });
        option.append(radio, ` ${label}`);
        this.gui.append(option);
      }
    }

    getGui() { return this.gui; }

    isFilterActive() { return this.choice !== 'all'; }

    doesFilterPass(params) { return this.params.getValue(params.node) === this.choice; }

    getModel() { return this.isFilterActive() ? { value: this.choice } : null; }

    setModel(model) {
      this.choice = model ? model.value : 'all';
      this.gui.querySelectorAll('input').forEach((radio) => { radio.checked = radio.value === this.choice; });
    }

    afterGuiAttached() { this.gui.querySelector('input:checked').focus(); }
  }

  const yesNo = (field, headerName, width) => ({
    headerName,
    colId: field,
    valueGetter: (p) => (p.data[field] ? 'Yes' : 'No'),
    cellRenderer: field === 'prodShared' ? undefined : yesNoBadge,
    filter: YesNoFilter,
    width,
    minWidth: width,
    flex: 0,
  });

  // The search box: every word typed must appear in the row's name, description or owner, in any case. Each row's text
  // is made once, at the first search, and kept beside the row, rather than rebuilt from every column's value for every
  // row on each keystroke as AG Grid's quick filter does.
  let searchWords = [];
  const searchText = new WeakMap();
  const matchesSearch = (row) => {
    let text = searchText.get(row);
    if (text === undefined) {
      text = `${row.name}\n${row.description}\n${row.owner}`.toLowerCase();
      searchText.set(row, text);
    }
    return searchWords.every((word) => text.includes(word));
  };

  const formatDate = (iso) => (iso ? new Date(iso).toISOString().slice(0, 16).replace('T', ' ') : '');
  const emptyMessage = 'No secrets yet — add one or import a .env file.';
  const noMatchMessage = 'No secret matches your search.';

  const gridApi = agGrid.createGrid(gridElement, {
    columnDefs: [
      // Wide enough for a 30-character name at 1366 px; longer names show in full in the editor.
      { field: 'name', headerName: 'Name', filter: 'agTextColumnFilter', sort: 'asc', minWidth: 300, flex: 0, width: 300 },
      { field: 'description', headerName: 'Description', filter: 'agTextColumnFilter', flex: 1, minWidth: 140 },
      yesNo('dev', 'Dev', 90),
      yesNo('staging', 'Staging', 112),
      yesNo('prod', 'Prod', 90),
      // Yes when the Production value equals the Development or Staging value (by keyed fingerprint, never by value).
      yesNo('prodShared', 'Prod = other env', 162),
      { field: 'owner', headerName: 'Owner', filter: 'agTextColumnFilter', minWidth: 130, flex: 0, width: 130 },
      {
        field: 'created', headerName: 'Created', filter: 'agDateColumnFilter', minWidth: 150, flex: 0, width: 150,
        valueFormatter: (p) => formatDate(p.value),
        filterParams: {
          comparator: (filterDate, cell) => {
            const day = new Date(cell); day.setHours(0, 0, 0, 0);
            return day < filterDate ? -1 : day > filterDate ? 1 : 0;
          },
        },
      },
    ],
    // cellDataType: false: every column says how it shows and filters its value, so AG Grid has nothing to infer from
    // the first row; inferring rebuilt every column and header when the rows arrived.
    defaultColDef: {
      sortable: true, filter: true, resizable: true, cellDataType: false,
      // Enter and Space open the focused row (below); on the checkbox column Space still selects.
      suppressKeyboardEvent: (p) => (p.event.key === 'Enter' || p.event.key === ' ') && !p.column.getColId().startsWith('ag-Grid-Selection'),
    },
    // No rowData until the rows arrive: AG Grid shows its loading overlay, not "No secrets yet", meanwhile.
    styleNonce: window.ziggyGrids.styleNonce(),
    getRowId: (p) => p.data.id,
    isExternalFilterPresent: () => searchWords.length > 0,
    doesExternalFilterPass: (node) => matchesSearch(node.data),
    // Eight columns: render them all, so every column is in the DOM whatever the width.
    suppressColumnVirtualisation: true,
    // With 10,000 rows, animating every row's move on load and on each search keystroke costs more than it shows.
    animateRows: false,
    // Checkboxes select rows for the bulk actions (shift-click adds a range); the header's box selects the rows that pass
    // the filters and the search only. Clicking elsewhere in a row opens its editor and leaves the selection alone.
    rowSelection: { mode: 'multiRow', checkboxes: true, headerCheckbox: true, selectAll: 'filtered', enableClickSelection: false },
    onRowClicked: (e) => {
      if (e.event && e.event.target.closest('[col-id="ag-Grid-SelectionColumn"]')) return;
      openEditor(e.data.id);
    },
    onCellKeyDown: (e) => {
      if (!e.event || (e.event.key !== 'Enter' && e.event.key !== ' ') || e.column.getColId().startsWith('ag-Grid-Selection')) return;
      e.event.preventDefault();
      openEditor(e.data.id);
    },
    onSelectionChanged: () => showSelection(),
    // The empty grid and a search or filter that matches nothing say so in the app's words.
    overlayComponentParams: { noRows: { overlayText: emptyMessage }, noMatchingRows: { overlayText: noMatchMessage } },
  });
  window.ziggySecretsGrid = gridApi;

  window.ziggyGrids.loadRows(gridApi, gridElement);

  const search = document.getElementById('quick-search');
  search.addEventListener('input', (e) => {
    searchWords = e.target.value.toLowerCase().split(/\s+/).filter((word) => word !== '');
    gridApi.onFilterChanged();
  });
  // Enter in the search box moves to the first match, where Enter opens it.
  search.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' && e.key !== 'ArrowDown') return;
    if (gridApi.getDisplayedRowCount() === 0) return;
    e.preventDefault();
    focusRow(gridApi.getDisplayedRowAtIndex(0));
  });

  function focusRow(node) {
    if (!node || node.rowIndex === null) return;
    gridApi.ensureIndexVisible(node.rowIndex);
    gridApi.setFocusedCell(node.rowIndex, 'name');
  }

  function focusRowOf(id) {
    const node = id && gridApi.getRowNode(id);
    if (node && node.rowIndex !== null) focusRow(node);
    else search.focus();
  }

  // ---- The editor: opening, closing, and never losing what was typed.
  const form = () => editor.querySelector('#secret-form');
  const openId = () => (editor.querySelector('[data-secret-id]') || {}).dataset?.secretId || null;
  let pristine = null;

  // What the form holds that the person can change; values count once typed (they are never filled in by the server).
  function snapshot(f) {
    return JSON.stringify([...f.querySelectorAll('input[type=text]:not([readonly]), textarea, input[type=checkbox][data-remove]')]
      .map((field) => (field.type === 'checkbox' ? field.checked : field.value)));
  }

  function isDirty() {
    const f = form();
    return !!f && pristine !== null && snapshot(f) !== pristine;
  }

  function showDirty() {
    const f = form();
    if (!f) return;
    const dirty = isDirty();
    const mark = editor.querySelector('[data-testid=unsaved-mark]');
    if (mark) mark.hidden = !dirty;
    const save = f.querySelector('button[type=submit]');
    // A new secret's form can always be sent (the server says what is missing); an existing one only once changed.
    if (save && f.dataset.mode === 'edit') save.disabled = !dirty;
  }

  // Unsaved changes ask first; resolves true when the editor may be replaced.
  async function mayLeaveEditor() {
    if (!isDirty()) return true;
    const name = form().dataset.secretName;
    return ask(`You have unsaved changes${name ? ` to ${name}` : ''}. Discard them?`, 'Discard changes', 'Keep editing');
  }

  async function openEditor(id) {
    if (id === openId() && layout.classList.contains('editing')) { focusFirstField(); return; }
    if (!(await mayLeaveEditor())) return;
    const url = new URL(gridElement.dataset.editUrl, window.location.href);
    url.searchParams.set('id', id);
    htmx.ajax('GET', url.pathname + url.search, { target: '#editor', swap: 'innerHTML' });
  }

  // Empties the editor and gives the grid its width back (nothing asked: the callers have).
  function dropEditor() {
    pristine = null;
    editor.replaceChildren();
    layout.classList.remove('editing');
  }

  async function closeEditor() {
    if (!layout.classList.contains('editing')) return;
    if (!(await mayLeaveEditor())) return;
    const id = openId();
    dropEditor();
    focusRowOf(id);
  }

  function focusFirstField() {
    const first = editor.querySelector('#secret-form input:not([type=hidden]):not([readonly]):not([disabled]), #secret-form textarea:not([disabled])');
    (first || editor.querySelector('#editor-title')).focus();
  }

  // Add Secret (an htmx link) asks first too.
  document.body.addEventListener('htmx:confirm', (e) => {
    if (!e.detail.elt.matches('[data-testid=add-secret]') || !isDirty()) return;
    e.preventDefault();
    mayLeaveEditor().then((ok) => { if (ok) e.detail.issueRequest(true); });
  });

  // Leaving the page with unsaved changes: the browser's own question.
  window.addEventListener('beforeunload', (e) => {
    if (!isDirty()) return;
    e.preventDefault();
    e.returnValue = '';
  });

  let savedId = null;
  document.body.addEventListener('secret-saved', (e) => {
    const row = e.detail;
    const known = gridApi.getRowNode(row.id);
    gridApi.applyTransaction(known ? { update: [row] } : { add: [row] });
    const node = gridApi.getRowNode(row.id);
    if (node) gridApi.ensureNodeVisible(node);
    savedId = row.id;
  });

  document.body.addEventListener('htmx:afterSwap', (e) => {
    if (e.detail.target === editor && editor.querySelector('.editor')) {
      layout.classList.add('editing');
      const f = form();
      pristine = f ? snapshot(f) : null;
      showDirty();
      if (savedId) {
        // Saved: the toast says so; focus goes back to the row (on a phone, the grid comes back first).
        const id = savedId;
        savedId = null;
        if (narrow.matches) dropEditor();
        focusRowOf(id);
      } else {
        focusFirstField();
      }
    }
    if (e.detail.target === dialog && !dialog.open) {
      dialog.showModal();
      const first = dialog.querySelector('input:not([type=hidden]), select, textarea');
      if (first) first.focus();
    }
  });
  // The editor rendered with the page (a plain link to one secret).
  if (form()) { pristine = snapshot(form()); showDirty(); }

  editor.addEventListener('click', (e) => {
    if (e.target.closest('[data-close-editor]')) closeEditor();
  });

  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || e.defaultPrevented || document.querySelector('dialog[open]')) return;
    if (!layout.classList.contains('editing')) return;
    // Escape inside one of AG Grid's menus or filters closes that, not the editor.
    if (e.target.closest && e.target.closest('.ag-popup, .ag-menu')) return;
    e.preventDefault();
    closeEditor();
  });

  // ---- Values: one line by default, Multi-line on demand, and what cannot be seen pointed out before saving.
  editor.addEventListener('change', async (e) => {
    const field = e.target;
    if (field.matches('[data-multiline-for]')) {
      const current = document.getElementById(field.dataset.multilineFor);
      const next = document.createElement(field.checked ? 'textarea' : 'input');
      for (const attribute of current.attributes) if (attribute.name !== 'type' && attribute.name !== 'value') next.setAttribute(attribute.name, attribute.value);
      if (field.checked) next.rows = 4; else next.type = 'text';
      // A single line keeps what was typed up to its first line break, and says so.
      next.value = field.checked ? current.value : current.value.replace(/\r?\n[\s\S]*$/, '');
      current.replaceWith(next);
      next.focus();
      showDirty();
      return;
    }
    if (field.matches('[data-remove]') && field.checked) {
      const f = form();
      const confirmed = await ask(`Remove the ${field.dataset.remove} value of ${f.dataset.secretName}?`, `Remove ${field.dataset.remove} value`, 'Keep it');
      if (!confirmed) field.checked = false;
      showDirty();
    }
  });

  // Mirrors SecretRules.ValueWarning on the server (which checks again): spaces, tabs and line breaks at either end,
  // and characters a person cannot see anywhere. Says what and where, never the value.
  const edgeName = (c) => (/[\n\r\u2028\u2029\u0085]/.test(c) ? 'a line break'
    : c === '\t' ? 'a tab' : c === ' ' ? 'a space'
      : /\s/.test(c) ? `an unusual space (U+${hex(c)})` : null);
  const invisible = /[\p{Cc}\p{Cf}\p{Zs}\p{Zl}\p{Zp}]/u;
  const hex = (c) => c.codePointAt(0).toString(16).toUpperCase().padStart(4, '0');
  const invisibleName = (c) => {
    const code = c.codePointAt(0);
    if (/\p{Cc}/u.test(c)) return 'a control character';
    if (/\p{Zs}/u.test(c)) return 'an unusual space';
    if (/[\p{Zl}\p{Zp}]/u.test(c)) return 'a Unicode line break';
    const named = { 0x200B: 'a zero-width space', 0x200C: 'a zero-width non-joiner', 0x200D: 'a zero-width joiner', 0x2060: 'a word joiner',
      0xFEFF: 'a byte order mark', 0x00AD: 'a soft hyphen', 0x200E: 'a bidirectional mark', 0x200F: 'a bidirectional mark', 0x061C: 'a bidirectional mark' };
    if (named[code]) return named[code];
    if (code >= 0x202A && code <= 0x202E) return 'a bidirectional override';
    if (code >= 0x2066 && code <= 0x2069) return 'a bidirectional isolate';
    if (code >= 0xE0000 && code <= 0xE007F) return 'a tag character';
    return 'an invisible formatting character';
  };
  function valueWarning(environment, value) {
    if (value === '') return null;
    const problems = [];
    const characters = [...value];
    const start = edgeName(characters[0]);
    const end = edgeName(characters[characters.length - 1]);
    if (start) problems.push(`starts with ${start}`);
    if (end) problems.push(`ends with ${end}`);
    const hidden = characters
      .map((c, i) => ({ c, position: i + 1 }))
      .filter(({ c, position }) => !['\t', '\n', '\r', ' '].includes(c) && invisible.test(c)
        && !((position === 1 || position === characters.length) && edgeName(c)));
    if (hidden.length > 0) {
      const named = hidden.slice(0, 3).map(({ c, position }) => `${invisibleName(c)} (U+${hex(c)}) at character ${position}`);
      problems.push(`holds ${hidden.length === 1 ? 'an invisible character' : `${hidden.length} invisible characters`}: ${named.join('; ')}${hidden.length > 3 ? ` and ${hidden.length - 3} more` : ''}`);
    }
    return problems.length === 0 ? null : `The ${environment} value ${problems.join(', ')}. Fix it, or tick "Save anyway" to store it as it is.`;
  }

  // Before the request: a value that looks wrong gets its warning and a "Save anyway" box; the save waits for the box.
  document.body.addEventListener('htmx:confirm', (e) => {
    if (e.detail.elt.id !== 'secret-form') return;
    let blocked = false;
    for (const field of e.detail.elt.querySelectorAll('.secret-value[name]')) {
      const environment = field.dataset.environment;
      const slot = document.getElementById(`${field.id}-warning`);
      const message = valueWarning(environment, field.value);
      const confirmed = slot.querySelector('input[type=checkbox]:checked');
      if (!message) { slot.replaceChildren(); slot.removeAttribute('role'); continue; }
      if (confirmed) continue;
      if (slot.querySelector('[data-client-warning]')?.textContent !== message) {
        const text = document.createElement('span');
        text.dataset.clientWarning = '';
        text.textContent = message;
        const label = document.createElement('label');
        label.className = 'save-anyway';
        const box = document.createElement('input');
        box.type = 'checkbox';
        box.name = `Input.Confirm${environment}`;
        box.value = 'true';
        box.dataset.testid = `confirm-${environment}`;
        label.append(box, ' Save anyway');
        slot.replaceChildren(text, label);
        slot.setAttribute('role', 'alert');
      }
      blocked = true;
    }
    if (blocked) {
      e.preventDefault();
      window.ziggyToast && window.ziggyToast('Check the highlighted values before saving.', 'error');
    }
  });

  // ---- The selection bar: the count, and the ids its buttons post (one comma-separated field).
  const bulkForm = document.getElementById('bulk-form');
  function showSelection() {
    const ids = gridApi.getSelectedRows().map((row) => row.id);
    bulkForm.hidden = ids.length === 0;
    document.getElementById('bulk-ids').value = ids.join(',');
    document.getElementById('bulk-count').textContent = `${ids.length} selected`;
  }
  document.getElementById('bulk-clear').addEventListener('click', () => gridApi.deselectAll());

  document.body.addEventListener('secrets-bulk-deleted', (e) => {
    gridApi.applyTransaction({ remove: e.detail.ids.map((id) => ({ id })) });
    if (e.detail.ids.includes(openId())) dropEditor();
    showSelection();
  });
  document.body.addEventListener('secrets-bulk-transferred', () => {
    gridApi.deselectAll();
    window.ziggyGrids.loadRows(gridApi, gridElement);
  });

  const dialog = document.getElementById('delete-dialog');
  document.body.addEventListener('secret-deleted', (e) => {
    gridApi.applyTransaction({ remove: [{ id: e.detail.id }] });
    if (dialog.open) dialog.close();
    dropEditor();
    search.focus();
  });

  document.addEventListener('click', (e) => {
    if (e.target.closest('[data-close-dialog]')) dialog.close();
  });

  document.addEventListener('input', (e) => {
    const field = e.target;
    // Names are upper-case: convert as the user types, keeping the caret where it was.
    if (field.matches('input[data-uppercase]')) {
      const start = field.selectionStart, end = field.selectionEnd;
      field.value = field.value.toUpperCase();
      field.setSelectionRange(start, end);
    }
    // A value field is sent only once the user typed in it (and not when emptied again).
    if (field.matches('.secret-value')) {
      if (field.value !== '') field.setAttribute('name', field.dataset.name);
      else field.removeAttribute('name');
      const slot = document.getElementById(`${field.id}-warning`);
      if (slot && slot.querySelector('[data-client-warning]') && !valueWarning(field.dataset.environment, field.value)) slot.replaceChildren();
    }
    // The destructive button works only for exactly "delete".
    if (field.id === 'delete-confirm') {
      document.getElementById('delete-submit').disabled = field.value !== 'delete';
    }
    if (field.closest('#secret-form')) showDirty();
  });
})();
