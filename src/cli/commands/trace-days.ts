/** Days `trace` reads when --since is not given (apart from trace.ts: the help text needs it without loading the command). */
export const TRACE_DEFAULT_DAYS = 31;
