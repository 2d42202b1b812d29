import { conformanceProperty } from './define.ts';

conformanceProperty('id-spelling');
