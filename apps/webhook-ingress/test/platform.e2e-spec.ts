import { describePlatformContract } from '@orch/testing';
import { webhookIngressApp } from '../src/app.definition';

describePlatformContract(webhookIngressApp);
