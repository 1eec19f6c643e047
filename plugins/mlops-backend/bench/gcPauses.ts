/*
 * How long garbage collection paused this process's main thread over a
 * stretch of the bench: a probe cycle waits for every pause, since no
 * answer is read meanwhile.
 */
import { constants, PerformanceObserver } from 'node:perf_hooks';

export interface GcPauses {
  /** Young-generation collections (scavenges). */
  scavenges: number;
  scavengeMs: number;
  /** Every other kind: mark-compact and its incremental steps, weak callbacks. */
  others: number;
  otherMs: number;
}

/** Starts counting pauses; the returned function stops and reports them. */
export function watchGcPauses(): () => GcPauses {
  const pauses: GcPauses = {
    scavenges: 0,
    scavengeMs: 0,
    others: 0,
    otherMs: 0,
  };
  const count = (entries: PerformanceEntry[]) => {
    for (const entry of entries) {
      // Node's gc entries carry their kind in `detail`, which the DOM's
      // PerformanceEntry type does not declare.
      const { detail } = entry as { detail?: { kind?: number } };
      if (detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) {
        pauses.scavenges += 1;
        pauses.scavengeMs += entry.duration;
      } else {
        pauses.others += 1;
        pauses.otherMs += entry.duration;
      }
    }
  };
  const observer = new PerformanceObserver(list => count(list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  return () => {
    count(observer.takeRecords());
    observer.disconnect();
    return pauses;
  };
}

/** "<n> scavenges <ms> ms, <n> other <ms> ms" */
export function describeGcPauses(pauses: GcPauses): string {
  return `${pauses.scavenges} scavenges ${pauses.scavengeMs.toFixed(0)} ms, ${
    pauses.others
  } other ${pauses.otherMs.toFixed(0)} ms`;
}
