#!/usr/bin/env node
/** Entry point of the `chorus-flux` command (bin/chorus-flux.js loads the built copy). */
import { tuneHeap } from '../runner/heap-tuning';
import { main } from './main';

tuneHeap();
void main();
