/**
 * bench/generate's command line: `--invoices 2000 /tmp/corpus` made a corpus in a folder named
 * "2000", `--help` made 10,000 invoices (800 MB) in ./bench-corpus, and `--invoices x` NaN.
 */
import { generateArgs } from '../../bench/generate';

describe('bench/generate arguments', () => {
  it('takes the folder wherever it stands, and the numbers given', () => {
    expect(generateArgs(['--invoices', '2000', '/tmp/corpus', '--seed', '7'])).toEqual({ dir: '/tmp/corpus', invoices: 2000, seed: 7 });
    expect(generateArgs(['/tmp/corpus'])).toEqual({ dir: '/tmp/corpus', invoices: 10000, seed: 42 });
    expect(generateArgs(['--help'])).toBe('help');
  });

  it.each([
    [['--frob'], /Unknown option '--frob'/],
    [['--invoices', 'x', '/tmp/c'], /--invoices 'x' is not a whole number/],
    [['/tmp/a', '/tmp/b'], /one corpus folder expected, got '\/tmp\/a', '\/tmp\/b'/],
  ])('refuses %j', (argv, said) => {
    expect(() => generateArgs(argv)).toThrow(said);
  });
});
