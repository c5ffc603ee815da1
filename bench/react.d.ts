// The docs bench calls React only to time the AsyncAPI React component's server render:
// these few signatures stand in for @types/react, whose global JSX would clash with hono/jsx.
declare module 'react' {
  export type ComponentType<P> = (props: P) => unknown;
  export function createElement<P>(type: ComponentType<P>, props: P): unknown;
}
declare module 'react-dom/server' {
  export function renderToString(element: unknown): string;
}
declare module '@asyncapi/react-component/lib/cjs/without-parser.js' {
  const standalone: { default: unknown };
  export default standalone;
}
