/** Placeholder: filled in by the search work. */
export const SEARCH_CSS = '';
