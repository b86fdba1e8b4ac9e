#!/usr/bin/env node
// The `cbec` command: TypeScript sources run through tsx, so there is no build step to forget.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/cbec.ts');
