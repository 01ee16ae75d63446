// The AG Grid build the pages load (bundled by esbuild during the build, see FrontEndAssets.targets): only the modules
// the Secrets and Audit grids use. The full community bundle is 1.4 MB that every first visit parses and compiles;
// this one is about 0.8 MB, and the grid creates services for these modules only.
import {
  ClientSideRowModelApiModule,
  ClientSideRowModelModule,
  createGrid,
  CsvExportModule,
  CustomFilterModule,
  DateFilterModule,
  ExternalFilterModule,
  ModuleRegistry,
  QuickFilterModule,
  RowApiModule,
  RowSelectionModule,
  ScrollApiModule,
  TextFilterModule,
  TooltipModule,
} from 'ag-grid-community';

ModuleRegistry.registerModules([
  ClientSideRowModelModule, // rows given as an array
  ClientSideRowModelApiModule, // applyTransaction after a save or delete
  RowApiModule, // getRowNode
  ScrollApiModule, // ensureNodeVisible
  RowSelectionModule, // the selected row follows the open editor
  TextFilterModule,
  DateFilterModule,
  QuickFilterModule, // the audit grid's search box
  ExternalFilterModule, // the secrets grid's search box
  TooltipModule, // the audit grid's long details
  CsvExportModule, // the audit grid's export of the filtered events
  CustomFilterModule, // the secrets grid's All/Yes/No filters
]);

window.agGrid = { createGrid };
