// Not tsgi's route: hono-native's server in a process that keeps nextTick's shapes alive, as
// every tsgi bridge does when it is made (src/node/tick-shapes.ts). Against hono-native it
// shows what that alone is worth in a round; hono-tsgi against it is tsgi's own work.

import { keepTickShapes } from '../../../../src/node/tick-shapes.ts'

keepTickShapes()
await import('./hono-native.ts')
