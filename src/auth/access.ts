/**
 * Who may do what in strict mode: a token is known, is granted the business, and carries a scope that
 * allows the operation. Market's scope names: all-methods, all-methods:read-only, communication.
 */
import { ApiError } from '../contract/errors.js';
import { OPERATIONS, type OperationId } from '../contract/operations.js';

export const SCOPES = ['all-methods', 'all-methods:read-only', 'communication'] as const;
export type Scope = (typeof SCOPES)[number];

export interface TokenGrant {
  token: string;
  businesses: number[];
  scopes: Scope[];
}

export interface AccessPolicy {
  mode: 'lenient' | 'strict';
  tokens?: TokenGrant[];
}

/** Throws a 403 in strict mode when the token may not call `operation` for `businessId`. */
export function checkAccess(policy: AccessPolicy | undefined, token: string, businessId: number | undefined, operation: OperationId): void {
  if (policy?.mode !== 'strict') return;
  const grant = grantOf(policy, token);
  if (businessId !== undefined) checkGrantedBusiness(grant, businessId);
  const writes = OPERATIONS[operation].writes;
  const allowed = grant.scopes.some((scope) => scope !== 'all-methods:read-only' || !writes);
  if (!allowed) {
    throw new ApiError(403, `Api-Key: the token's scopes (${grant.scopes.join(', ')}) do not allow ${operation}, which writes`);
  }
}

/** Throws a 403 in strict mode when the token may not act for `businessId` at all. */
export function checkBusinessAccess(policy: AccessPolicy | undefined, token: string, businessId: number): void {
  if (policy?.mode !== 'strict') return;
  checkGrantedBusiness(grantOf(policy, token), businessId);
}

function grantOf(policy: AccessPolicy, token: string): TokenGrant {
  const grant = policy.tokens?.find((g) => g.token === token);
  if (!grant) throw new ApiError(403, 'Api-Key: the token is not known to Market; check it in the seller cabinet');
  return grant;
}

function checkGrantedBusiness(grant: TokenGrant, businessId: number): void {
  if (!grant.businesses.includes(businessId)) throw new ApiError(403, `businessId: the token has no access to business ${businessId}`);
}
