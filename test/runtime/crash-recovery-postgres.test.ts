import { crashSuite } from '../helpers/crash-suite.ts';

// Different seeds from the SQLite run, so the two suites cover different kill plans.
crashSuite('postgres', 1001);
