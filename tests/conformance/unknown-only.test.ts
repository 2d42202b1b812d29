import { conformanceProperty } from './define.ts';

conformanceProperty('unknown-only');
