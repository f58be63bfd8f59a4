// Not tsgi: the baseline's bare node:http server in a process that keeps nextTick's shapes
// alive, as every tsgi bridge does when it is made (src/node/tick-shapes.ts). The tsgi
// contenders against it are tsgi's own work, with the kept shapes on both sides.

import { keepTickShapes } from '../../../../src/node/tick-shapes.ts'

keepTickShapes()
await import('./raw-node-http.ts')
