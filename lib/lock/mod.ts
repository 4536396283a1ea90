// The archive-root lock's public API: what the host runner, the gates and the tools import.
export { ConfigError } from "../config/config_error.ts";
export {
  LOCK_FILE_NAME,
  readConfigJson,
  type ResolvedLockPath,
  resolveLockPath,
} from "./resolve_lock_path.ts";
export {
  acquireLock,
  type AcquireOptions,
  busyMessage,
  LockBusyError,
  type LockHandle,
  lockSkipped,
} from "./acquire_lock.ts";
export { type LockState, type LockStatus, readLockStatus } from "./read_lock_status.ts";
export { ReclaimRefusedError, reclaimStale } from "./reclaim_stale.ts";
export {
  runUnderLock,
  type RunUnderLockOptions,
  type RunUnderLockResult,
} from "./run_under_lock.ts";
export { LockPathError } from "./lock_path_safety.ts";
export { FlockUnsupportedError } from "./flock.ts";
export { metaPathOf } from "./lock_meta.ts";
export { type Holder, holderLines, holderSummary } from "./holder.ts";
