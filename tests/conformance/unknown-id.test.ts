import { conformanceProperty } from './define.ts';

conformanceProperty('unknown-id');
