/**
 * The standalone binary's entry (scripts/binary.ts). The binary starts from a V8 startup snapshot taken after this
 * module ran, so that most of the program is already loaded and evaluated when it starts. Node's HTTP modules
 * cannot be in a snapshot: the Fastify side, and what imports it, is loaded when the binary starts.
 */
import { startupSnapshot } from 'node:v8';
// The layers below the Fastify side, and the libraries they use, evaluated now.
import './domain/chat-service.js';
import './fake/world-generator.js';
import './fake/scenario-world.js';
import './customer/simulated-buyer.js';
import './conversations/conversations.js';
import './limits/request-limits.js';
import './scenario/scenario-rules.js';
import './scenario/load.js';
import './store/world-store.js';
import './report/report.js';
import './conversations/junit.js';
import './model/junit.js';
import './traffic/junit.js';

startupSnapshot.setDeserializeMainFunction(() => {
  void import('./command-line.js')
    .then(({ main }) => main(process.argv.slice(2), process.env))
    .then((code) => {
      process.exitCode = code;
    });
});
