import { VERSION } from '../../../src/version';
process.stdout.write(VERSION);
