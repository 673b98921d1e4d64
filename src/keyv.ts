// `requestforge/keyv`: tokens in any cache that Keyv fronts.
export {
  type KeyvLike,
  KeyvTokenStorage,
  type KeyvTokenStorageOptions,
} from './tokens/storage/keyv-token-storage';
export type { EncryptionKey, EncryptionKeyOption } from './tokens/storage/token-cipher';
