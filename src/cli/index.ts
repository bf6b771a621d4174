#!/usr/bin/env node
/** Entry point of the `chorus-flux` command (bin/chorus-flux.js loads the built copy). */
import { main } from './main';

void main();
