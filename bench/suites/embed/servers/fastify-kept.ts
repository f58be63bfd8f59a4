// Not tsgi's route: fastify-native's server in a process that keeps nextTick's shapes alive, as
// every tsgi bridge does when it is made (src/node/tick-shapes.ts). Against fastify-native it
// shows what that alone is worth in a round; fastify-tsgi against it is tsgi's own work.

import { keepTickShapes } from '../../../../src/node/tick-shapes.ts'

keepTickShapes()
await import('./fastify-native.ts')
