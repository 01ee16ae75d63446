// Shared by the pages that show an AG Grid (lib/ag-grid/ag-grid.min.js, which registers its modules): loading rows from a JSON handler.
window.ziggyGrids = (function () {
  'use strict';

  return {
    // AG Grid injects its theme styles; the page's CSP allows them only with this request's nonce.
    styleNonce: () => document.querySelector('meta[name=csp-nonce]').content,

    // Loads the rows from the grid's data-rows-url; an expired session (a redirect to the sign-in page instead of JSON)
    // goes to its data-sign-in-url.
    loadRows: (gridApi, gridElement) =>
      // Same URL, mode and credentials as a <link rel="preload" as="fetch">, so a preloaded response is used, not fetched twice.
      fetch(gridElement.dataset.rowsUrl, { credentials: 'same-origin' })
        .then((response) => {
          const json = (response.headers.get('content-type') || '').includes('application/json');
          if (!response.ok || !json) { window.location.href = gridElement.dataset.signInUrl; return []; }
          return response.json();
        })
        .then((rows) => { gridApi.setGridOption('rowData', rows); gridElement.dataset.loaded = 'true'; }),
  };
})();
