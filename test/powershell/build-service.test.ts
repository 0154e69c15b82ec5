import { pesterSuites } from './helpers/pester-suite.js';

// Build-Service.ps1 builds WorkerRole1/dist (scripts/run-tests.ts keeps it apart from other builds).
pesterSuites(['BuildService.Tests.ps1']);
