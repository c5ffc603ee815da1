/**
 * Markdown from a contract (descriptions), rendered safely: raw HTML is shown as text, links
 * go only to http(s), mailto or an anchor on the page, and images become links, so a page
 * never loads anything from outside Herald. markdown-it escapes everything it emits.
 */
import MarkdownIt from 'markdown-it';

const SAFE_LINK = /^(?:https?:|mailto:|#)/i;

const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
md.validateLink = (url: string) => SAFE_LINK.test(url.trim());
md.disable('image');
// Links leave Herald without telling the target where the reader came from.
const defaultOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  const token = tokens[idx]!;
  if (!token.attrGet('href')?.startsWith('#')) token.attrSet('rel', 'noopener noreferrer nofollow');
  return defaultOpen(tokens, idx, options, env, self);
};

/** HTML of a Markdown text from a document; never raw HTML from it. */
export function markdown(text: string): string {
  return md.render(text);
}
