import { pesterSuites } from './helpers/pester-suite.js';

pesterSuites(['PublishService.Tests.ps1']);
