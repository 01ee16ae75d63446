// The Audit page: AG Grid over the organization's events, with filters on user, action, secret and a time range, and
// a CSV export of exactly the rows and columns the grid shows after its filters.
(function () {
  'use strict';

  const gridElement = document.getElementById('audit-grid');
  if (!gridElement) return;

  const when = (value) => (value ? new Date(value).toISOString().slice(0, 19).replace('T', ' ') : '');

  // A spreadsheet would run a cell starting with one of these as a formula (CSV injection): prefix it with a quote.
  const neutralise = (text) => (/^[=+\-@\t\r]/.test(text) ? "'" + text : text);

  const gridApi = agGrid.createGrid(gridElement, {
    columnDefs: [
      {
        field: 'at', headerName: 'When (UTC)', filter: 'agDateColumnFilter', sort: 'desc', width: 175, flex: 0,
        valueFormatter: (p) => when(p.value),
        filterParams: {
          inRangeInclusive: true,
          comparator: (filterDate, cell) => {
            const day = new Date(cell); day.setHours(0, 0, 0, 0);
            return day < filterDate ? -1 : day > filterDate ? 1 : 0;
          },
        },
      },
      { field: 'user', headerName: 'User', filter: 'agTextColumnFilter', minWidth: 140 },
      // Wide enough for the longest name ("Two-factor requirement changed").
      { field: 'action', headerName: 'Action', filter: 'agTextColumnFilter', width: 250, flex: 0 },
      { field: 'secret', headerName: 'Secret', filter: 'agTextColumnFilter', minWidth: 150 },
      { field: 'target', headerName: 'Target', filter: 'agTextColumnFilter', minWidth: 150 },
      { field: 'ip', headerName: 'IP', filter: 'agTextColumnFilter', width: 130, flex: 0 },
      { field: 'details', headerName: 'Details', filter: 'agTextColumnFilter', flex: 3, minWidth: 220, tooltipField: 'details' },
    ],
    defaultColDef: { sortable: true, filter: true, resizable: true, flex: 1, minWidth: 110 },
    rowData: [],
    styleNonce: window.ziggyGrids.styleNonce(),
    getRowId: (p) => String(p.data.id),
    suppressColumnVirtualisation: true,
    overlayNoRowsTemplate: '<span class="grid-empty">No events match these filters.</span>',
  });
  window.ziggyAuditGrid = gridApi;

  window.ziggyGrids.loadRows(gridApi, gridElement);

  document.getElementById('audit-search').addEventListener('input', (e) => gridApi.setGridOption('quickFilterText', e.target.value));

  document.getElementById('audit-export').addEventListener('click', () => {
    gridApi.exportDataAsCsv({
      fileName: 'audit-' + new Date().toISOString().slice(0, 10) + '.csv',
      // Only what passed the filters and search, in the grid's order, with the columns it shows.
      exportedRows: 'filteredAndSorted',
      allColumns: false,
      processCellCallback: (p) => {
        const text = p.column.getColId() === 'at' ? when(p.value) : (p.value == null ? '' : String(p.value));
        return neutralise(text);
      },
      processHeaderCallback: (p) => neutralise(p.column.getColDef().headerName || ''),
    });
    window.ziggyToast && window.ziggyToast('Exported ' + gridApi.getDisplayedRowCount() + ' events as CSV.', 'success');
  });
})();
