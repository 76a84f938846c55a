/** Loads JSON event fixtures (documented Lambda MSK shape) from test/fixtures. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MskEvent } from '../../lambda/core/msk-event';

export function loadEvent(name: string): MskEvent {
  return JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', `${name}.json`), 'utf8')) as MskEvent;
}

export function referenceCsv(file: string): string {
  return readFileSync(join(__dirname, '..', '..', 'pipelines', 'reference', file), 'utf8');
}
