import { describeProcessContract } from '@orch/testing';

describeProcessContract('exec-api', { portVariable: 'EXEC_API_PORT' });
