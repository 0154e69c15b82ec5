import type { Probe } from './emulated-role.js';
import { Prober } from './probe.js';

/**
 * Which instances are in the load balancer's rotation: an instance joins when its probe passes
 * and leaves when it fails, or at once when its process exits. Without a probe in the csdef an
 * instance counts as ready as soon as its process starts, as on Azure.
 */
export class HealthMonitor {
  private readonly inRotation = new Set<string>();
  private readonly probers = new Map<string, Prober>();

  constructor(
    private readonly probe: Probe | undefined,
    private readonly log: (line: string) => void,
    private readonly onChange: () => void,
  ) {}

  has(id: string): boolean {
    return this.inRotation.has(id);
  }

  get size(): number {
    return this.inRotation.size;
  }

  started(id: string, port: number): void {
    this.probers.get(id)?.stop();
    if (!this.probe) {
      this.enter(id, 'its process started (no probe)');
      return;
    }
    const probe = this.probe;
    const where = probe.protocol === 'http' ? `http ${probe.path}` : 'tcp';
    const prober = new Prober({
      probe,
      port,
      onResult: (result) => {
        if (result.passed) this.enter(id, `probe ${where} passed`);
        else this.leave(id, `probe ${where} failed: ${result.reason}`);
      },
    });
    this.probers.set(id, prober);
    prober.start();
  }

  exited(id: string): void {
    this.probers.get(id)?.stop();
    this.probers.delete(id);
    this.leave(id, 'its process exited');
  }

  stop(): void {
    for (const prober of this.probers.values()) prober.stop();
    this.probers.clear();
  }

  private enter(id: string, why: string): void {
    if (this.inRotation.has(id)) return;
    this.inRotation.add(id);
    this.log(`emulator: ${id} is in rotation (${why})`);
    this.onChange();
  }

  private leave(id: string, why: string): void {
    if (!this.inRotation.delete(id)) return;
    this.log(`emulator: ${id} left the rotation (${why})`);
    this.onChange();
  }
}
