// TanStack Query's core (QueryObserver, MutationObserver…), as the app's `@tanstack/react-query`
// brings it: through that package's re-exports, not a dependency on `@tanstack/query-core` of our
// own. A peer dependency on it made npm install a second copy whenever the app's react-query pinned
// an older one (seen: 5.108.4 installed beside react-query's 5.108.0), and two caches' classes do
// not mix. Nothing React is used from here; react-query declares no side effects, so bundlers keep
// only these.
export { MutationObserver, notifyManager, QueryObserver, skipToken } from '@tanstack/react-query';
export type {
  DataTag,
  MutationObserverOptions,
  Query,
  QueryClient,
  QueryFunction,
  QueryKey,
  QueryObserverOptions,
  QueryState,
} from '@tanstack/react-query';
