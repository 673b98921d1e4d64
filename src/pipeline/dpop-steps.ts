// Where DPoP may be on in a token pipeline. Only the final step's token reaches APIs, so only its
// requests prove a key; and a generated key lives in this process, so it cannot back tokens that
// other processes read from a shared step storage.
import { dpopHandleOf } from '../tokens/dpop/dpop-handle';
import { InMemoryTokenStorage } from '../tokens/storage/in-memory-token-storage';
import type { TokenStorage } from '../tokens/token-storage';
import type { TokenFetcher } from './fetcher-types';

/**
 * Refuses `dpop` on a step other than the final one, and a generated DPoP key with a storage
 * other than process memory.
 * @throws {TypeError} naming the step
 */
export function checkDpopSteps(order: readonly TokenFetcher[], storage: TokenStorage): void {
  const final = order[order.length - 1];
  for (const step of order) {
    const handle = dpopHandleOf(step);
    if (handle === undefined) continue;
    if (step !== final) {
      throw new TypeError(
        `TokenFetchPipeline: step "${step.name}" has dpop, but only the final step ("${final?.name}") may: an earlier step's token goes to the next step's endpoint, not to APIs`,
      );
    }
    if (handle.generatedKey && !(storage instanceof InMemoryTokenStorage)) {
      throw new TypeError(
        `TokenFetchPipeline: step "${step.name}" has dpop with a generated key, which a shared storage cannot hold: configure dpop.privateKey, the same in every process`,
      );
    }
  }
}
