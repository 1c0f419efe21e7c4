import { describeProcessContract } from '@orch/testing';

describeProcessContract('webhook-ingress', { portVariable: 'WEBHOOK_INGRESS_PORT' });
