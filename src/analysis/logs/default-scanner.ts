import { detectors } from '../../detectors/index.ts';
import { LineScanner } from '../../detectors/scanner.ts';
import type { LogScanner } from './scanner.ts';

/** The project's detectors (`src/detectors`) as the scanner `cordon logs` uses. */
export function createDefaultScanner(): LogScanner {
  // Without the WebAssembly prefilter, logs are read line by line (slower, same findings).
  const canSkip = LineScanner.prefilterError() === undefined;
  const lookback = Math.max(1, ...detectors.map((detector) => detector.multiline?.maxLines ?? 0)) + 1;
  return {
    detectors: detectors.map((detector) => detector.meta),
    lookback,
    open() {
      const scanner = new LineScanner();
      return {
        push: (line) => scanner.push(line),
        flush: () => scanner.flush(),
        ...(canSkip
          ? {
              skipping: {
                candidates: (bytes, out, markers) => scanner.candidates(bytes, out, markers),
                pushAt: (number, line, reason) => scanner.pushAt(number, line, reason),
                get inBlock() {
                  return scanner.inBlock;
                },
              },
            }
          : {}),
      };
    },
  };
}
