import { conformanceProperty } from './define.ts';

conformanceProperty('stateful');
