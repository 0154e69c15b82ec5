import { pesterSuites } from './helpers/pester-suite.js';

// Start-Emulator.ps1 builds WorkerRole1/dist first (scripts/run-tests.ts keeps it apart from other builds).
pesterSuites(['Emulator.Tests.ps1']);
