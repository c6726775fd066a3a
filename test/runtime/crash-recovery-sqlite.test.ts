import { crashSuite } from '../helpers/crash-suite.ts';

crashSuite('sqlite', 1);
