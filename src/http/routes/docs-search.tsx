/** Placeholder: filled in by the search work. */
import { Hono } from 'hono';
import type { Registry } from '../../registry/registry.js';
import type { AppEnv } from '../env.js';

export function searchRoutes(_registry: Registry): Hono<AppEnv> {
  return new Hono<AppEnv>();
}
