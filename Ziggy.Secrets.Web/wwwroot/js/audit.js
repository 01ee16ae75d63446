// The Audit page: AG Grid over the organization's events, with filters on user, action, secret and a time range.
(function () {
  'use strict';

  const gridElement = document.getElementById('audit-grid');
  if (!gridElement) return;

  const gridApi = agGrid.createGrid(gridElement, {
    columnDefs: [
      {
        field: 'at', headerName: 'When', filter: 'agDateColumnFilter', sort: 'desc', minWidth: 170,
        valueFormatter: (p) => (p.value ? new Date(p.value).toISOString().slice(0, 19).replace('T', ' ') : ''),
        filterParams: {
          inRangeInclusive: true,
          comparator: (filterDate, cell) => {
            const day = new Date(cell); day.setHours(0, 0, 0, 0);
            return day < filterDate ? -1 : day > filterDate ? 1 : 0;
          },
        },
      },
      { field: 'user', headerName: 'User', filter: 'agTextColumnFilter' },
      { field: 'action', headerName: 'Action', filter: 'agTextColumnFilter' },
      { field: 'secret', headerName: 'Secret', filter: 'agTextColumnFilter' },
      { field: 'target', headerName: 'Target', filter: 'agTextColumnFilter' },
      { field: 'ip', headerName: 'IP', filter: 'agTextColumnFilter', width: 130, flex: 0 },
      { field: 'details', headerName: 'Details', filter: 'agTextColumnFilter', flex: 3, tooltipField: 'details' },
    ],
    defaultColDef: { sortable: true, filter: true, resizable: true, flex: 1, minWidth: 110 },
    rowData: [],
    styleNonce: window.ziggyGrids.styleNonce(),
    getRowId: (p) => String(p.data.id),
    suppressColumnVirtualisation: true,
  });
  window.ziggyAuditGrid = gridApi;

  window.ziggyGrids.loadRows(gridApi, gridElement);

  document.getElementById('audit-search').addEventListener('input', (e) => gridApi.setGridOption('quickFilterText', e.target.value));
})();
