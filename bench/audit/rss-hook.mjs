// Loaded with `node --import` into one cordon run (the warm-up, which is not timed) to record
// the process's own resource usage at exit: peak RSS and CPU time. Writes nothing unless
// CORDON_BENCH_USAGE_FILE is set.
import { writeFileSync } from 'node:fs';

const target = process.env.CORDON_BENCH_USAGE_FILE;
if (target) {
  process.on('exit', () => {
    writeFileSync(target, JSON.stringify(process.resourceUsage()));
  });
}
