import { pesterSuites } from './helpers/pester-suite.js';

// Start-Emulator.ps1 -NoBuild starts the WorkerRole1/dist that npm test built first; it builds only when that is missing.
pesterSuites(['Emulator.Tests.ps1']);
