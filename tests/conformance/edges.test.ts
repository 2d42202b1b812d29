import { conformanceProperty } from './define.ts';

conformanceProperty('edges');
