/**
 * A contract built to inject markup and script into the docs: descriptions with <script>, an
 * onerror attribute, an HTML comment, a javascript: link, a frame and an attribute break-out.
 * Its pages must show all of it as text and run none of it (pages.test.ts, browser.test.ts).
 */
export const HOSTILE = `asyncapi: 3.0.0
info:
  title: 'Evil <b>bold</b>'
  version: 1.0.0
  description: |
    Hello <script>window.__injected = 1</script> and <img src=x onerror="window.__injected = 2">.
    <!-- a comment -->
    [click](javascript:window.__injected=3) [mail](mailto:a@example.com) [web](https://example.com) ![img](https://example.com/x.png)
channels:
  c:
    address: c
    description: '<iframe src="https://evil.example"></iframe>'
    messages:
      M:
        payload: { type: string }
        description: '" onmouseover="window.__injected=4'
operations:
  send:
    action: send
    channel: { $ref: '#/channels/c' }
`;
