/** Connections a `timeout` fault leaves unanswered: held until a reset, a scenario load or close cuts them. */
import type { Socket } from 'node:net';

export class HeldConnections {
  private readonly held = new Set<Socket>();

  hold(socket: Socket): void {
    this.held.add(socket);
    socket.once('close', () => this.held.delete(socket));
  }

  /** As a part of the sandbox: stopping it (not one business's) cuts every held connection. */
  stop(businessId?: number): void {
    if (businessId !== undefined) return;
    for (const socket of this.held) socket.destroy();
    this.held.clear();
  }
}
