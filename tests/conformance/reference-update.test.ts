import { conformanceProperty } from './define.ts';

conformanceProperty('reference-update');
