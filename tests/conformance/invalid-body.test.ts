import { conformanceProperty } from './define.ts';

conformanceProperty('invalid-body');
