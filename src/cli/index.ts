#!/usr/bin/env node
/** Entry point of the `chorus-flux` command (bin/chorus-flux.js loads the built copy). */
// first: a signal while the other modules load is a clean stop (early-signals.ts)
import { endEarlySignals } from './early-signals';
import { tuneHeap } from '../runner/heap-tuning';
import { main } from './main';
import { tolerateClosedStdout, tolerateFailingStderr } from './closed-stdout';

tolerateClosedStdout();
tolerateFailingStderr();
endEarlySignals();
tuneHeap();
void main();
