import { describeProcessContract } from '@orch/testing';

describeProcessContract('operator-console', { portVariable: 'CONSOLE_PORT', database: false });
