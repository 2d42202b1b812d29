import { conformanceProperty } from './define.ts';

conformanceProperty('concurrent');
