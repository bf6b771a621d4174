/**
 * Numeric options are checked before anything runs: `--concurrency abc` used to become NaN,
 * which started no file and left `run --threads 2` waiting forever.
 */
import { cli } from '../helpers/cli';
import { FIXTURES_INBOX, listFiles, tempDir } from '../helpers/run';

describe('numeric options of the command line', () => {
  it.each([
    [['run', FIXTURES_INBOX, '--concurrency', 'abc'], '--concurrency'],
    [['run', FIXTURES_INBOX, '--concurrency', '0'], '--concurrency'],
    [['run', FIXTURES_INBOX, '--threads', '1.5'], '--threads'],
    [['run', FIXTURES_INBOX, '--threads', '150'], '--threads'], // each thread its own heap: 5.5 GB for 150 small files
    [['reconcile', '--out', FIXTURES_INBOX, '--reports', ''], '--reports'], // wrote its reports in the current folder
    [['run', FIXTURES_INBOX, '--max-in-flight-mb', '-3'], '--max-in-flight-mb'],
    [['run', FIXTURES_INBOX, '--min-age', 'soon'], '--min-age'],
    [['worker', '--config', 'config/example.json', '--metrics-port', '70000'], '--metrics-port'],
  ])('%j is refused with exit code 2, naming the option, and writes nothing', async (args, option) => {
    const out = tempDir();
    const r = await cli([...args, ...(args[0] === 'run' ? ['--out', out, '--no-progress'] : [])], { timeoutMs: 30000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(option);
    expect(r.stderr).toMatch(/is invalid|is empty/);
    expect(listFiles(out)).toEqual([]);
  }, 40000);
});

describe('an option that takes one value, given twice', () => {
  it.each([
    [['--out', 'A', '--out', 'B'], "'A', then 'B'"],
    [['-oA', '--out=B'], "'A', then 'B'"],
    [['-qo', 'A', '-o', 'B'], "'A', then 'B'"],
  ])('run %j is refused naming both values (commander kept the last without a word) and writes nothing', async (outs, said) => {
    const a = tempDir();
    // in one pass: a temp folder's random name may hold an A or a B itself
    const named = (x: string) => x.replace(/[AB]/g, (m) => `${a}/${m.toLowerCase()}`);
    const args = outs.map(named);
    const r = await cli(['run', FIXTURES_INBOX, '--no-progress', ...args], { timeoutMs: 30000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("option '-o, --out <dir>' given 2 times");
    expect(r.stderr).toContain(named(said));
    expect(listFiles(a)).toEqual([]);
  }, 40000);

  it('flags without a value may repeat, and an option after -- is an operand', async () => {
    const r = await cli(['validate', '--json', '--json', '--', `${FIXTURES_INBOX}/op-alpha`], { timeoutMs: 30000 });
    expect(r.stderr).not.toContain('given 2 times');
    expect(JSON.parse(r.stdout).map((f: { file: string }) => f.file).length).toBeGreaterThan(0);
  }, 40000);
});

describe('help on a command that does not exist', () => {
  it('`help reconcle` says the command is unknown before the help, exit 2; `help run` is the help of run, exit 0', async () => {
    const typo = await cli(['help', 'reconcle'], { timeoutMs: 30000 });
    expect(typo.code).toBe(2);
    expect(typo.stderr.split('\n')[0]).toBe("error: unknown command 'reconcle'");
    expect(typo.stderr).toContain('Usage: chorus-flux [options] [command]');
    const known = await cli(['help', 'run'], { timeoutMs: 30000 });
    expect(known.code).toBe(0);
    expect(known.stdout).toContain('Usage: chorus-flux run [options] <inbox>');
    expect(known.stderr).not.toContain('unknown command');
  }, 40000);
});
