import { describeProcessContract } from '@orch/testing';

describeProcessContract('worker', { portVariable: 'WORKER_PORT' });
