/**
 * Profiling hook: wrap the tf.js wasm backend's matmul kernels (`BatchMatMul`, `Conv2D`, whether
 * the wasm originals or the native OpenBLAS replacements of `native_blas.ts`) so that their wall
 * time on this thread is accumulated. Used by `deno task bench features` to split the encoder's
 * time into matmuls and the rest; never installed in extraction.
 *
 * @module
 */
import * as tf from "@energetic-ai/core";

/** Accumulated wall milliseconds and calls of the wrapped kernels. */
export interface KernelTiming {
  ms: number;
  calls: number;
}

const timing: KernelTiming = { ms: 0, calls: 0 };
let wrapped = false;

/**
 * Wrap the currently registered wasm `BatchMatMul` and `Conv2D` kernels with timers (once per
 * thread; install after the encoder is loaded, so the native kernels are the ones wrapped).
 * Returns the live counters.
 */
export function installMatMulTiming(): KernelTiming {
  if (wrapped || tf.getBackend() !== "wasm") return timing;
  for (const name of [tf.BatchMatMul, tf.Conv2D]) {
    const kernel = tf.getKernel(name, "wasm");
    if (!kernel) continue;
    const inner = kernel.kernelFunc;
    tf.unregisterKernel(name, "wasm");
    tf.registerKernel({
      ...kernel,
      kernelFunc: (args) => {
        const t = performance.now();
        try {
          return inner(args);
        } finally {
          timing.ms += performance.now() - t;
          timing.calls++;
        }
      },
    });
  }
  wrapped = true;
  return timing;
}
