/**
 * IdCPRO allocation (IPM4-AIFE-2): integers, unique across the installation, never reused.
 * Two implementations behind this interface: LocalIdSequence (embedded runner, a durable
 * sequence on disk) and RedisIdSequence (distributed runner, INCR with a durable high-water
 * mark so an emptied Redis never hands out an id twice).
 * Idempotence (the same invoice gets the same id when its file is processed again) is the
 * lifecycle store's job: it allocates once per invoice and keeps the id.
 */
export interface IdAllocator {
  /** A fresh id, never returned before by any allocator sharing the same state. */
  next(): Promise<bigint>;
  close?(): Promise<void>;
}
