/**
 * The semantic rules of the AsyncAPI parser's 3.x core ruleset, with the parser's rule ids
 * (parser/src/ruleset/v3). The reference rules read the document as written, since they
 * are about where references point.
 *
 * The parser's `asyncapi3-channel-servers` has no counterpart: it expects server names,
 * while 3.x channels list server references, so it never reports anything for a document
 * that passes the structural check.
 */
import type { Diagnostic } from '../errors.js';
import { appendPointer, isObject } from './pointer.js';
import { select, selectAll } from './select.js';
import { missingAndRedundant, urlVariables } from './rules-common.js';
import { newAjv } from './structure.js';

type Doc = Record<string, unknown>;

export function rulesV3(resolved: Doc, unresolved: Doc): Diagnostic[] {
  return [
    ...operationMessagesFromChannel(unresolved),
    ...operationChannelUnambiguity(unresolved),
    ...channelServersUnambiguity(unresolved),
    ...channelQueryOrFragment(resolved),
    ...channelParameters(resolved),
  ];
}

// The parser's input schema: a reference is an object whose $ref, if any, is a URI reference.
const isReferenceInput = newAjv(false).compile({
  type: 'object',
  properties: {
    channel: { type: 'object', properties: { $ref: { type: 'string', format: 'uri-reference' } } },
    messages: { type: 'array', items: { type: 'object', properties: { $ref: { type: 'string', format: 'uri-reference' } } } },
  },
});

function operationMessagesFromChannel(doc: Doc): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const { pointer, value } of selectAll(doc, [['operations', '*'], ['components', 'operations', '*']])) {
    if (!isReferenceInput(value)) continue;
    const operation = value as { channel?: { $ref?: string }; messages?: Array<{ $ref?: string }> };
    // An inline channel has no pointer, so no message reference can belong to it.
    const channelPointer = operation.channel?.$ref;
    operation.messages?.forEach((message, i) => {
      if (message.$ref && !message.$ref.startsWith(`${channelPointer}/messages`)) {
        out.push({
          rule: 'asyncapi3-operation-messages-from-referred-channel',
          pointer: appendPointer(pointer, 'messages', i),
          message: `Operation message "${message.$ref}" does not belong to the operation's channel${channelPointer ? ` "${channelPointer}"` : ''}.`,
        });
      }
    });
  }
  return out;
}

function operationChannelUnambiguity(doc: Doc): Diagnostic[] {
  return select(doc, ['operations', '*', 'channel', '$ref'])
    .filter(({ value }) => typeof value === 'string' && !/#\/channels\//.test(value))
    .map(({ pointer, value }) => ({
      rule: 'asyncapi3-required-operation-channel-unambiguity',
      pointer,
      message: `The "channel" of an operation under the root "operations" must reference a channel under the root "channels" ("#/channels/..."), not "${String(value)}".`,
    }));
}

function channelServersUnambiguity(doc: Doc): Diagnostic[] {
  return select(doc, ['channels', '*', 'servers', '*', '$ref'])
    .filter(({ value }) => typeof value === 'string' && !/#\/servers\//.test(value))
    .map(({ pointer, value }) => ({
      rule: 'asyncapi3-required-channel-servers-unambiguity',
      pointer,
      message: `The "servers" of a channel under the root "channels" must reference servers under the root "servers" ("#/servers/..."), not "${String(value)}".`,
    }));
}

function channelQueryOrFragment(doc: Doc): Diagnostic[] {
  return Object.keys(isObject(doc.channels) ? doc.channels : {})
    .filter((key) => /[?#]/.test(key))
    .map((key) => ({ rule: 'asyncapi3-channel-no-query-nor-fragment', pointer: appendPointer('/channels', key), message: 'Channel address should not include query ("?") or fragment ("#") delimiter.' }));
}

function channelParameters(doc: Doc): Diagnostic[] {
  const rule = 'asyncapi3-channel-parameters';
  const out: Diagnostic[] = [];
  for (const { pointer, value } of selectAll(doc, [['channels', '*'], ['components', 'channels', '*']])) {
    if (!isObject(value) || !isObject(value.parameters)) continue;
    if (value.address !== undefined && value.address !== null && typeof value.address !== 'string') continue;
    const { missing, redundant } = missingAndRedundant(urlVariables(value.address ?? ''), value.parameters);
    if (missing.length) out.push({ rule, pointer: appendPointer(pointer, 'parameters'), message: `Not all channel's parameters are described with "parameters" object. Missed: ${missing.join(', ')}.` });
    for (const p of redundant) out.push({ rule, pointer: appendPointer(pointer, 'parameters', p), message: `Channel's "parameters" object has redundant defined "${p}" parameter.` });
  }
  return out;
}
