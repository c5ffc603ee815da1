/**
 * The normalized contract every later module reads (compat, codegen, docs, gateway).
 * AsyncAPI 2.x and 3.x differ only up to here: operations carry a direction from the
 * application's point of view, and every schema is self-contained (no `$ref` leaves it).
 */

/** A JSON Schema (or, with `schemaFormat`, another schema language) as plain JSON. */
export type JsonSchema = Record<string, unknown> | boolean;

/** Protocol -> binding object, e.g. `{ kafka: { topic: 'orders', partitions: 3 } }`. */
export type Bindings = Record<string, Record<string, unknown>>;

/** From the application's point of view. AsyncAPI 2.x: `subscribe` = send, `publish` = receive. */
export type Action = 'send' | 'receive';

export interface Contract {
  /** AsyncAPI version of the source document, e.g. `3.0.0`. */
  asyncapi: string;
  title: string;
  /** `info.version`: the contract author's version string. */
  version: string;
  servers: Server[];
  channels: Channel[];
  operations: Operation[];
}

export interface Server {
  id: string;
  protocol: string;
  protocolVersion?: string;
  /** 3.x `host` (2.x: the `url`). */
  host: string;
  pathname?: string;
  bindings: Bindings;
}

/**
 * Where a part of the model is written in the source document: a JSON pointer that names
 * the object itself (references followed), for reports that point at a file and line.
 */
export type Pointer = string;

export interface Channel {
  /** 3.x: the key under `channels`; 2.x: the address. */
  id: string;
  pointer: Pointer;
  address: string | null;
  /** Server ids; empty means every server. */
  servers: string[];
  parameters: Parameter[];
  messages: Message[];
  bindings: Bindings;
  /** `x-*` fields of the channel, e.g. `x-herald-dlq`. */
  extensions: Record<string, unknown>;
}

export interface Parameter {
  name: string;
  pointer: Pointer;
  /** 2.x parameters carry a schema; 3.x ones an enum, default and examples, expressed here as a schema. */
  schema: JsonSchema;
  location?: string;
  description?: string;
}

export interface Message {
  /** Unique within its channel: 3.x the key under `messages`; 2.x messageId, name or the component key. */
  id: string;
  pointer: Pointer;
  /** Where the payload and headers schemas are written; absent when traits merged them from several places. */
  payloadPointer?: Pointer;
  headersPointer?: Pointer;
  name?: string;
  title?: string;
  contentType?: string;
  /** Present when the payload is not JSON Schema (e.g. Avro). */
  schemaFormat?: string;
  payload?: JsonSchema;
  headers?: JsonSchema;
  correlationId?: { location: string; description?: string };
  bindings: Bindings;
}

export interface Operation {
  /** 3.x: the key under `operations`; 2.x: operationId, else `<channel>/<publish|subscribe>`. */
  id: string;
  pointer: Pointer;
  action: Action;
  /** Channel id. */
  channel: string;
  /** Message ids within the channel. */
  messages: string[];
  reply?: Reply;
  bindings: Bindings;
}

export interface Reply {
  channel?: string;
  /** Runtime expression of a dynamic reply address, e.g. `$message.header#/replyTo`. */
  addressLocation?: string;
  /** Message ids: within the reply channel, or of `offChannel`. */
  messages: string[];
  /**
   * The messages the reply lists that its channel does not carry (a reply may name
   * `#/components/messages/X`, and one with a dynamic address has no channel): they are
   * part of the contract too, and are compared like channel messages.
   */
  offChannel?: Message[];
}
