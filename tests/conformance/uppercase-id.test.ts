import { conformanceProperty } from './define.ts';

conformanceProperty('uppercase-id');
