/** A response as it is stored for replay. */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export type ClaimResult =
  | { kind: 'claimed' }
  | { kind: 'mismatch' }
  | { kind: 'in_progress'; retryAfterSeconds: number }
  | { kind: 'completed'; response: StoredResponse };

export interface ClaimRequest {
  /** Whose key this is: keys are scoped per merchant. */
  scope: string;
  key: string;
  fingerprint: string;
  /** A token unique to this execution; only the owner may complete or release. */
  owner: string;
  leaseMs: number;
}

/**
 * The idempotency record store (port). Implementations throw StoreUnavailable when
 * the store cannot be reached (callers fail closed, 503) and let any other failure through.
 */
export abstract class IdempotencyStore {
  abstract claim(request: ClaimRequest): Promise<ClaimResult>;
  /** Owner-checked compare-and-set to completed; false when the claim is no longer ours. */
  abstract complete(
    scope: string,
    key: string,
    owner: string,
    response: StoredResponse,
    ttlSeconds: number,
  ): Promise<boolean>;
  /** Owner-checked delete of an in-progress claim, so that a retry runs again. */
  abstract release(scope: string, key: string, owner: string): Promise<boolean>;
}
