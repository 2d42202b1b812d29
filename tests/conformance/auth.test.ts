import { conformanceProperty } from './define.ts';

conformanceProperty('auth');
