import { HeraldError } from '../errors.js';

export const CONTRACT_NAME = /^[a-z0-9][a-z0-9._-]{0,127}$/;
export const TOKEN_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export function assertContractName(name: string): void {
  if (!CONTRACT_NAME.test(name)) {
    throw new HeraldError(
      'bad-request',
      `"${name}" is not a valid contract name: use 1-128 characters of a-z, 0-9, ".", "_" and "-", starting with a letter or digit.`,
    );
  }
}
