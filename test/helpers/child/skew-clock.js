/**
 * Preloaded (`node -r`) into a test's child process standing for another machine: its clock
 * is CHORUS_TEST_CLOCK_SKEW_MS ahead (negative: behind) of this one's, for everything that
 * reads the time through Date (the file times it sets, its timestamps). performance.now(),
 * the clock that never jumps, is left as it is: it has no date to skew.
 */
const skew = Number(process.env.CHORUS_TEST_CLOCK_SKEW_MS || 0);
if (skew) {
  const RealDate = Date;
  const now = () => RealDate.now() + skew;
  class SkewedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(now());
      else super(...args);
    }
    static now() {
      return now();
    }
  }
  globalThis.Date = SkewedDate;
}
