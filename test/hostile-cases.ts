import { bodyCases } from './hostile-body-cases.js'
import { costCases } from './hostile-cost-cases.js'
import { headerCases } from './hostile-header-cases.js'
import { ipCases } from './hostile-ip-cases.js'
import type { HostileCase } from './hostile-support.js'

/** Every hostile case, run through every harness target by `hostile.test.ts`. */
export const hostileCases: readonly HostileCase[] = [...headerCases, ...bodyCases, ...costCases, ...ipCases]
