import { conformanceProperty } from './define.ts';

conformanceProperty('valid-update');
