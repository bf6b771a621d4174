/**
 * The plain sentence printed when a run stops on a system error (disk full, permissions, too
 * many open files…), from the error itself or from the messages of the files it stopped.
 */
import { failureHints, systemErrorHint } from '../../src/util/system-error-hint';

it('says what to do about the errors an operator can fix, and nothing for the others', () => {
  const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  expect(systemErrorHint(full)).toMatch(/^the disk is full .*Free space, then run again\. Files not finished are left in the inbox/);
  const denied = Object.assign(new Error('EACCES: permission denied, open'), { code: 'EACCES', path: '/srv/out/pivot' });
  expect(systemErrorHint(denied)).toContain('permission denied. Give this user read access to the inboxes and write access to the output folder, then run again (/srv/out/pivot).');
  expect(systemErrorHint(new Error('something else'))).toBeUndefined();
  expect(systemErrorHint(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBeUndefined();
  expect(systemErrorHint(undefined)).toBeUndefined();
});

const failed = (errors: string[]) => errors.map((error, k) => ({ file: `op-alpha/F${k + 1}.xml`, error }));

it('counts the files each kind of error stopped, from their messages, and names them', () => {
  const hints = failureHints(failed([
    'ENOSPC: no space left on device, write',
    'the journal could not record the receipt of op-alpha/F2.xml: ENOSPC: no space left on device, write',
    'EMFILE: too many open files, open',
    'a parser bug',
  ]));
  expect(hints).toHaveLength(3);
  expect(hints[0]).toMatch(/^2 file\(s\) not finished: the disk is full \(no space left on the device\) \(op-alpha\/F1\.xml, op-alpha\/F2\.xml\)\. Free space/);
  expect(hints[1]).toMatch(/^1 file\(s\) not finished: too many open files for this process \(op-alpha\/F3\.xml\)\. Raise the limit \(ulimit -n/);
  // any other error is shown as it is, not left to the log alone
  expect(hints[2]).toBe('1 file(s) not finished: a parser bug (op-alpha/F4.xml)');
  expect(failureHints([])).toEqual([]);
});

it('names the first three files of a kind, and counts the others', () => {
  const [hint] = failureHints(failed(Array(5).fill("cannot read /srv/in/op-alpha/F.xml: EACCES: permission denied, open '/srv/in/op-alpha/F.xml'")));
  expect(hint).toBe('5 file(s) not finished: permission denied (op-alpha/F1.xml, op-alpha/F2.xml, op-alpha/F3.xml, and 2 more in the log). Give this user read access to the inboxes and write access to the output folder, then run again. Files not finished are left in the inbox; the next run recognises those already done and does not process them twice.');
});

it('shows the first three other kinds of error, each at most 300 characters, and counts the rest', () => {
  const long = `The lifecycle record /srv/state/invoices/ab/ab.json cannot be read (the file is empty); ${'x'.repeat(400)}`;
  const hints = failureHints(failed([long, long, 'b', 'c', 'd', 'e']));
  expect(hints).toHaveLength(4);
  expect(hints[0]).toMatch(/^2 file\(s\) not finished: The lifecycle record \/srv\/state\/invoices\/ab\/ab\.json cannot be read/);
  expect(hints[0].length).toBeLessThanOrEqual('2 file(s) not finished: '.length + 300 + ' (op-alpha/F1.xml, op-alpha/F2.xml)'.length);
  expect(hints.slice(1)).toEqual(['1 file(s) not finished: b (op-alpha/F3.xml)', '1 file(s) not finished: c (op-alpha/F4.xml)', '2 other kind(s) of error: see the log.']);
});
