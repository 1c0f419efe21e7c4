import { describePlatformContract } from '@orch/testing';
import { consoleApp } from '../server/app.definition';

describePlatformContract(consoleApp, { dependencies: ['redis'] });
