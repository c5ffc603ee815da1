/** Rewrites the kinds table in docs/compatibility.md from src/compat/kinds.ts. */
import { readFileSync, writeFileSync } from 'node:fs';
import { kindsTable, TABLE_END, TABLE_START } from '../src/compat/kinds-table.js';

const path = 'docs/compatibility.md';
const doc = readFileSync(path, 'utf8');
const start = doc.indexOf(TABLE_START);
const end = doc.indexOf(TABLE_END);
if (start < 0 || end < 0) throw new Error(`${path} lacks the kinds table markers`);
writeFileSync(path, doc.slice(0, start) + kindsTable() + doc.slice(end + TABLE_END.length));
console.log(`${path}: kinds table rewritten`);
