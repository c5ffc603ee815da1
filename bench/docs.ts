/**
 * The docs pages (issue 12 item 4): server render time of slack-rtm's contract page and of its
 * largest message page, against the AsyncAPI React component's server render of the same
 * document (`renderToString` of its parser-less build, given the document already parsed, so
 * that only rendering is timed on its side); the HTML each sends; and contract pages of 50,
 * 200 and 500 generated channels against slack-rtm's, to show that rendering is linear.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Parser } from '@asyncapi/parser';
import type { ComponentType } from 'react';
import { testApp } from '../test/helpers/app.js';
import { interleaved, measure, ms, table } from './stats.js';

const SLACK = '../shared/corpus/asyncapi-spec-examples/v3/slack-rtm-asyncapi.yml';

/** An AsyncAPI 3.0 contract of `n` channels, each with one message, sent and received. */
function generated(n: number): string {
  const lines = ['asyncapi: 3.0.0', 'info: { title: Generated, version: 1.0.0 }', 'channels:'];
  for (let i = 0; i < n; i++) {
    lines.push(`  c${i}:`, `    address: topic.${i}`, '    messages:', `      M${i}:`, '        payload:', '          type: object', '          required: [id]', '          properties:', '            id: { type: string, format: uuid }', `            count: { type: integer, minimum: 0, description: 'How many, on channel ${i}' }`);
  }
  lines.push('operations:');
  for (let i = 0; i < n; i++) lines.push(`  send${i}: { action: send, channel: { $ref: '#/channels/c${i}' } }`, `  receive${i}: { action: receive, channel: { $ref: '#/channels/c${i}' } }`);
  return `${lines.join('\n')}\n`;
}

export async function benchDocs(runs: number): Promise<string> {
  if (!existsSync(SLACK)) return '## Docs pages\n\nskipped: the corpus (../shared/corpus) is absent, so there is no slack-rtm document to compare on\n';
  const text = readFileSync(SLACK, 'utf8');
  const api = await testApp('pglite');
  try {
    const register = async (name: string, body: string) => {
      const res = await api.request('POST', `/v1/contracts/${name}/versions`, { body, contentType: 'application/yaml' });
      if (res.status !== 201) throw new Error(`registering ${name} answered ${res.status}`);
    };
    await register('slack-rtm', text);
    for (const n of [50, 200, 500]) await register(`channels-${n}`, generated(n));
    const page = async (path: string) => {
      const res = await api.app.request(path);
      if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
      return res.text();
    };
    // The largest message page (the message with the most schema to draw), from the contract page's links.
    const contractHtml = await page('/docs/slack-rtm/latest');
    const links = [...new Set([...contractHtml.matchAll(/href="(\/docs\/slack-rtm\/\d+\/channels\/[^"#]+\/messages\/[^"#]+)"/g)].map((m) => m[1]!))];
    let messagePath = '';
    let largestBytes = 0;
    for (const link of links) {
      const bytes = (await page(link)).length;
      if (bytes > largestBytes) [messagePath, largestBytes] = [link, bytes];
    }
    const channelCount = new Set(links.map((l) => l.split('/channels/')[1]!.split('/')[0])).size;

    // The React component: its parser-less build, given the document parsed once beforehand.
    const { document } = await new Parser().parse(text);
    if (!document) throw new Error('the AsyncAPI parser refused slack-rtm');
    // React's production build, as a server would run it (its development build checks far more).
    process.env.NODE_ENV = 'production';
    const [{ createElement }, { renderToString }, standalone] = await Promise.all([import('react'), import('react-dom/server'), import('@asyncapi/react-component/lib/cjs/without-parser.js')]);
    // CommonJS seen from ESM: the component is module.exports.default, which the loader may or may not unwrap.
    const exported = standalone.default as { default?: ComponentType<{ schema: unknown }> } | ComponentType<{ schema: unknown }>;
    const AsyncApi = typeof exported === 'function' ? exported : exported.default!;
    const react = () => renderToString(createElement(AsyncApi, { schema: document }));

    const sizes = { contract: contractHtml.length, message: largestBytes, react: react().length };
    const [contract, message, reactStats] = await interleaved([() => page('/docs/slack-rtm/latest'), () => page(messagePath), async () => react()], runs, 5);
    const curve = [];
    for (const n of [50, 200, 500]) {
      const path = `/docs/channels-${n}/latest`;
      const bytes = (await page(path)).length;
      curve.push({ n, bytes, stats: await measure(() => page(path), { runs, warmup: 3 }) });
    }
    const kb = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
    return [
      `## Docs pages (v3/slack-rtm-asyncapi.yml, ${links.length} messages on ${channelCount} channel${channelCount === 1 ? '' : 's'})\n`,
      "- Herald: a GET through the app in process (routing, access, the version's lookup in PGlite, the cached model, rendering with hono/jsx, the response body), one at a time after a warm-up.",
      "- React: `renderToString` of @asyncapi/react-component 3.2.1's parser-less build (`without-parser`), React 19, given the document already parsed by @asyncapi/parser: rendering only. It renders the whole document on one page; Herald's message page is compared with that same render, as the component has no page per message.",
      `- Largest message page: \`${messagePath}\` (of ${links.length}).\n`,
      table([
        { what: 'contract page', p50: ms(contract!.p50), p99: ms(contract!.p99), html: kb(sizes.contract), baseline: `React ${ms(reactStats!.p50)}, ${kb(sizes.react)}`, ratio: (contract!.p50 / reactStats!.p50).toFixed(3) },
        { what: 'largest message page', p50: ms(message!.p50), p99: ms(message!.p99), html: kb(sizes.message), baseline: `React ${ms(reactStats!.p50)}`, ratio: (message!.p50 / reactStats!.p50).toFixed(3) },
        ...curve.map((c) => ({ what: `contract page, ${c.n} channels`, p50: ms(c.stats.p50), p99: ms(c.stats.p99), html: kb(c.bytes), baseline: `slack-rtm ${ms(contract!.p50)}`, ratio: (c.stats.p50 / contract!.p50).toFixed(2) })),
      ]),
      '\nGoals: contract and message page at most 0.2 of the React render; 500 channels under 10x slack-rtm.\n',
    ].join('\n');
  } finally {
    await api.cleanup();
  }
}
