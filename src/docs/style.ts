/** The docs pages' one stylesheet, served by Herald itself (no font, script or style from elsewhere). Light and dark by the reader's setting. */
import { HISTORY_CSS } from './history.js';
import { MAP_CSS } from './map.js';
import { SEARCH_CSS } from './search.js';

export const STYLESHEET = `:root{color-scheme:light dark;--bg:#fff;--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--card:#f6f8fa;--accent:#0a58ca;--ok:#1a7f37;--bad:#cf222e}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9da7b3;--line:#30363d;--card:#161b22;--accent:#6cb6ff;--ok:#3fb950;--bad:#ff7b72}}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif}
a{color:var(--accent)}header.top{display:flex;gap:1rem;align-items:center;flex-wrap:wrap;padding:.75rem 1rem;border-bottom:1px solid var(--line)}
header.top a.brand{font-weight:700;text-decoration:none;color:var(--fg)}main{max-width:72rem;margin:0 auto;padding:1rem}
h1{font-size:1.6rem;margin:.5rem 0}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid var(--line)}h3{font-size:1.05rem}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.9em}pre{background:var(--card);padding:.75rem;overflow-x:auto;border-radius:6px}
.muted{color:var(--muted)}.tag{display:inline-block;border:1px solid var(--line);border-radius:999px;padding:0 .5rem;margin:0 .25rem .25rem 0;font-size:.85em}
table{border-collapse:collapse;width:100%;display:block;overflow-x:auto}th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid var(--line);vertical-align:top}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.75rem 1rem;margin:.75rem 0}
.send{color:var(--ok)}.receive{color:var(--accent)}.breaking{color:var(--bad)}
form.search input{width:min(100%,28rem);padding:.4rem;border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--fg)}
form.login{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:1rem 0}form.login input[type=password]{width:min(100%,28rem);padding:.4rem;border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--fg)}
button{padding:.4rem .8rem;border:1px solid var(--line);border-radius:6px;background:var(--card);color:var(--fg);cursor:pointer}
@media (max-width:480px){main{padding:.5rem}th,td{padding:.3rem}}
` + HISTORY_CSS + MAP_CSS + SEARCH_CSS;
