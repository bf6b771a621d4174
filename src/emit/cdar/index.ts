/** CDAR D22B lifecycle messages (French CDV profile): writer, tables, builders. See docs/CDAR.md. */
export * from './serialize';
export * from './tables';
export * from './build';
