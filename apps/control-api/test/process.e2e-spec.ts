import { describeProcessContract } from '@orch/testing';

describeProcessContract('control-api', { portVariable: 'CONTROL_API_PORT' });
