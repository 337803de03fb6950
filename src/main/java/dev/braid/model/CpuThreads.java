package dev.braid.model;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * How many cores PyTorch's CPU kernels use per worker. Set once, before any model runs: PyTorch
 * hands the count to each thread on its first parallel op, so a later change does not reach a
 * worker that has already stepped.
 *
 * <p>Each worker steps on its own thread and every step's kernels fan out over this many threads,
 * so a host with {@code w} workers stepping at once runs {@code w * threads} of them. One thread
 * per worker is the default on small hosts: a step of the bundled models is a few hundred small
 * ops, where waking a second thread costs more than it saves (README, performance), and the
 * draft partner or the next model keeps the other core busy.
 */
public final class CpuThreads {

    /** The setting that asks for half the host's cores, at least one: the default. */
    public static final int HALF_THE_CORES = 0;

    /** The property names DJL's PyTorch engine reads when it loads. */
    private static final String INTRA_OP = "ai.djl.pytorch.num_threads";
    private static final String INTER_OP = "ai.djl.pytorch.num_interop_threads";

    private static Integer applied;

    private CpuThreads() {
    }

    /** {@code configured}, or for 0 half the host's cores, at least one. */
    public static int resolve(int configured) {
        if (configured < 0) {
            throw new IllegalArgumentException("cpu-threads must be 0 (half the cores) or positive, got " + configured);
        }
        return configured > 0 ? configured : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }

    /**
     * Sets the threads per worker for this process and loads the engine with them. A second call
     * with another count is refused: workers that already stepped would keep the first one.
     *
     * @return the count in force
     */
    public static synchronized int apply(int configured) {
        int threads = resolve(configured);
        if (applied != null) {
            if (applied != threads) {
                throw new IllegalStateException("PyTorch already runs with " + applied
                        + " CPU threads per worker in this process; " + threads + " cannot take effect");
            }
            return threads;
        }
        System.setProperty(INTRA_OP, Integer.toString(threads));
        System.setProperty(INTER_OP, "1");
        Engine.getEngine("PyTorch");
        // The engine may have loaded before this call (it reads the properties only then).
        JniUtils.setNumThreads(threads);
        applied = threads;
        return threads;
    }
}
