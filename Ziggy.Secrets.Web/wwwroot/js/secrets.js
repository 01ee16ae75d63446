// The Secrets page: AG Grid over the rows handler, the htmx editor beside it, and the small behaviours the forms
// need. No value or mask ever reaches this script: rows hold names, owners and Yes/No flags only.
(function () {
  'use strict';

  const gridElement = document.getElementById('secrets-grid');
  if (!gridElement) return;


  const yesNo = (field) => ({
    headerName: { dev: 'Dev', staging: 'Staging', prod: 'Prod', prodShared: 'Prod = other env' }[field],
    colId: field,
    valueGetter: (p) => (p.data[field] ? 'Yes' : 'No'),
    filter: 'agTextColumnFilter',
    width: 95,
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

  const gridApi = agGrid.createGrid(gridElement, {
    columnDefs: [
      { field: 'name', headerName: 'Name', filter: 'agTextColumnFilter', sort: 'asc', minWidth: 150 },
      { field: 'description', headerName: 'Description', filter: 'agTextColumnFilter', flex: 2, minWidth: 160 },
      yesNo('dev'),
      yesNo('staging'),
      yesNo('prod'),
      // Yes when the Production value equals the Development or Staging value (by keyed fingerprint, never by value).
      { ...yesNo('prodShared'), width: 150 },
      { field: 'owner', headerName: 'Owner', filter: 'agTextColumnFilter', minWidth: 120 },
      {
        field: 'created', headerName: 'Created', filter: 'agDateColumnFilter', minWidth: 150,
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
    defaultColDef: { sortable: true, filter: true, resizable: true, flex: 1, cellDataType: false },
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
    onSelectionChanged: () => showSelection(),
    overlayNoRowsTemplate: '<span>No secrets yet. Use “Add Secret” to create the first one.</span>',
  });
  window.ziggySecretsGrid = gridApi;

  window.ziggyGrids.loadRows(gridApi, gridElement);

  document.getElementById('quick-search').addEventListener('input', (e) => {
    searchWords = e.target.value.toLowerCase().split(/\s+/).filter((word) => word !== '');
    gridApi.onFilterChanged();
  });

  // The page gives the editor's URL; the row adds which secret.
  function openEditor(id) {
    const url = new URL(gridElement.dataset.editUrl, window.location.href);
    url.searchParams.set('id', id);
    htmx.ajax('GET', url.pathname + url.search, { target: '#editor', swap: 'innerHTML' });
  }

  document.body.addEventListener('secret-saved', (e) => {
    const row = e.detail;
    const known = gridApi.getRowNode(row.id);
    gridApi.applyTransaction(known ? { update: [row] } : { add: [row] });
    const node = gridApi.getRowNode(row.id);
    if (node) gridApi.ensureNodeVisible(node);
  });

  // The selection bar: the count, and the ids its buttons post (one comma-separated field).
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
  });

  document.body.addEventListener('htmx:afterSwap', (e) => {
    if (e.detail.target === dialog && !dialog.open) dialog.showModal();
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
    // Dirty tracking: a value field is sent only once the user typed in it (and not when emptied again).
    if (field.matches('textarea.secret-value')) {
      if (field.value !== '') field.setAttribute('name', field.dataset.name);
      else field.removeAttribute('name');
    }
    // The destructive button works only for exactly "delete".
    if (field.id === 'delete-confirm') {
      document.getElementById('delete-submit').disabled = field.value !== 'delete';
    }
  });
})();
