import { describePlatformContract } from '@orch/testing';
import { controlApiApp } from '../src/app.definition';

describePlatformContract(controlApiApp);
