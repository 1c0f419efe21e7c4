import { describePlatformContract } from '@orch/testing';
import { execApiApp } from '../src/app.definition';

describePlatformContract(execApiApp);
