import { describePlatformContract } from '@orch/testing';
import { workerApp } from '../src/app.definition';

describePlatformContract(workerApp);
