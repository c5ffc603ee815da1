/**
 * The work budget of one compatibility check. Comparing two schemas is polynomial, but a
 * crafted document can still make it large (thousands of anyOf branches, huge enums): the
 * check spends steps as it goes and gives up past the budget with a clear answer, naming
 * where it was, instead of running for minutes.
 *
 * The clock is passed in, so that compat/ stays free of I/O and globals; without one,
 * only steps count.
 */
import { HeraldError } from '../errors.js';

export interface BudgetLimits {
  /** Most steps (schema pairs compared, values checked, validators compiled). */
  maxSteps: number;
  /** Most milliseconds, measured by `now`. */
  maxMs?: number;
  now?: () => number;
}

/** Where the check was when it gave up. */
export interface GaveUpAt {
  oldPath: string;
  newPath: string;
  channel?: string;
  message?: string;
}

export class TooComplexError extends HeraldError {
  constructor(
    readonly limit: 'steps' | 'time' | 'depth',
    readonly at: GaveUpAt,
    limits: BudgetLimits,
  ) {
    const what =
      limit === 'steps' ? `took more than ${limits.maxSteps} steps (HERALD_COMPAT_MAX_STEPS)`
      : limit === 'time' ? `ran longer than ${limits.maxMs} ms (HERALD_COMPAT_MAX_MS)`
      : 'met schemas nested, through their references, deeper than it can follow';
    const scope = at.message ? ` in message "${at.message}" of channel "${at.channel}"` : at.channel ? ` in channel "${at.channel}"` : '';
    super(
      'limit-exceeded',
      `Too complex to judge: the compatibility check ${what}. It gave up comparing ${at.oldPath || '/'} (old) with ${at.newPath || '/'} (new)${scope}. ` +
        'Simplify the schema there (fewer alternatives, smaller enums), or raise the limit.',
      { limit: limit === 'steps' ? 'HERALD_COMPAT_MAX_STEPS' : limit === 'time' ? 'HERALD_COMPAT_MAX_MS' : 'depth', gaveUpAt: at },
    );
  }
}

/** Checking the clock costs more than a step: look at it once per this many steps. */
const CLOCK_EVERY = 256;

export class Budget {
  private steps = 0;
  private readonly deadline: number | undefined;
  /** The channel and message being compared, set by the contract-level comparison. */
  scope: { channel?: string; message?: string } = {};

  constructor(private readonly limits: BudgetLimits) {
    this.deadline = limits.maxMs !== undefined && limits.now ? limits.now() + limits.maxMs : undefined;
  }

  /** Spends `n` steps at a place; throws TooComplexError past the budget. */
  spend(n: number, oldPath: string, newPath: string): void {
    const before = this.steps;
    this.steps += n;
    if (this.steps > this.limits.maxSteps) throw new TooComplexError('steps', { oldPath, newPath, ...this.scope }, this.limits);
    if (this.deadline !== undefined && Math.floor(before / CLOCK_EVERY) !== Math.floor(this.steps / CLOCK_EVERY) && this.limits.now!() > this.deadline) {
      throw new TooComplexError('time', { oldPath, newPath, ...this.scope }, this.limits);
    }
  }

  get spent(): number {
    return this.steps;
  }
}

/** No limit: for callers that bound the work otherwise (tests of single schemas). */
export const unlimited = (): Budget => new Budget({ maxSteps: Number.POSITIVE_INFINITY });
