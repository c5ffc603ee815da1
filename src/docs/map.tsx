/** Placeholder: filled in by the map work. */
export const MAP_CSS = '';
