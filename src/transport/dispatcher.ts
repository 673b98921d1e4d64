/** An undici `Dispatcher` (`Agent`, `Pool`, `ProxyAgent`, `MockAgent`…), re-exported as a type only. */
export type { Dispatcher } from 'undici';
