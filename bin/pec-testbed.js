#!/usr/bin/env node
// Entry point of the `pec-testbed` command: runs the compiled CLI (npm install builds it).
import '../dist/cli/main.js';
