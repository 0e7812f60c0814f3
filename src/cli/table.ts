/** The CLI's text formats live with the shared report helpers (also used by the browser page). */
export * from '../report/format.js';
