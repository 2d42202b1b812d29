import { conformanceProperty } from './define.ts';

conformanceProperty('malformed-body');
