package dev.braid.model;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * How many cores PyTorch's CPU kernels may use per worker: set once, before any model runs, and
 * by default all of them. Each worker then runs a step on one thread or on all of these, by the
 * step's query tokens ({@code StepThreads}, measured at load): a step of a few tokens is a few
 * hundred small ops, where waking a second thread costs more than it saves, and only large steps
 * (prefills, big batches) fan out. Several workers on one host thus share the cores on their small
 * steps and contend only while large ones coincide.
 */
public final class CpuThreads {

    /** The setting that asks for all the host's cores: the default. */
    public static final int ALL_CORES = 0;

    /** The property names DJL's PyTorch engine reads when it loads. */
    private static final String INTRA_OP = "ai.djl.pytorch.num_threads";
    private static final String INTER_OP = "ai.djl.pytorch.num_interop_threads";

    private static Integer applied;
    /** What {@link #useOnThisThread} last set on each thread: PyTorch keeps it per thread and does not say. */
    private static final ThreadLocal<Integer> onThisThread = new ThreadLocal<>();

    private CpuThreads() {
    }

    /** The threads per worker in force: what {@link #apply} set, or the default's count before it ran. */
    public static synchronized int perWorker() {
        return applied != null ? applied : resolve(ALL_CORES);
    }

    /**
     * Runs the calling thread's following ops on {@code threads} threads (at most {@link
     * #perWorker}). PyTorch keeps the count per calling thread, so one worker's choice does not
     * reach another's; a change costs about as much as one small op.
     */
    public static void useOnThisThread(int threads) {
        int used = Math.max(1, Math.min(threads, perWorker()));
        JniUtils.setNumThreads(used);
        onThisThread.set(used);
    }

    /** The threads the calling thread's ops run on: what {@link #useOnThisThread} set, else {@link #perWorker}. */
    public static int onThisThread() {
        Integer used = onThisThread.get();
        return used != null ? used : perWorker();
    }

    /** {@code configured}, or for 0 the host's cores. */
    public static int resolve(int configured) {
        if (configured < 0) {
            throw new IllegalArgumentException("cpu-threads must be 0 (all cores) or positive, got " + configured);
        }
        return configured > 0 ? configured : Runtime.getRuntime().availableProcessors();
    }

    /**
     * Sets the threads per worker for this process and loads the engine with them, its freed memory
     * kept for reuse ({@link NativeHeap}). A second call
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
        NativeHeap.keepFreedMemory();
        System.setProperty(INTRA_OP, Integer.toString(threads));
        System.setProperty(INTER_OP, "1");
        Engine.getEngine("PyTorch");
        // The engine may have loaded before this call (it reads the properties only then).
        JniUtils.setNumThreads(threads);
        applied = threads;
        // the caller, and threads that never choose (PyTorch starts them on the last count set), stay on one
        offWorkers();
        return threads;
    }

    /**
     * Puts the calling thread, which is no worker's, on one thread. Every thread that runs an op on
     * several threads keeps a pool of OpenMP threads for as long as it lives; once libgomp manages
     * more threads than the host has cores, its idle threads stop spinning between ops, and every op
     * of a worker's parallel step waits for its pool to wake (on two cores, braid-base's two-thread
     * steps ran slower than one-thread ones beside the pool that loading the model had left). So only
     * workers go parallel, and work beside them (loading a model, the caller of {@link #apply}) stays
     * on one thread; parallel work that must run off the workers runs {@link #onThreadOfItsOwn}.
     */
    public static void offWorkers() {
        // the count is set through the engine's native library, which may not have loaded yet
        Engine.getEngine("PyTorch");
        useOnThisThread(1);
    }

    /**
     * {@code work} on a thread of its own with {@link #perWorker} threads, whose OpenMP pool ends
     * with it: parallel work off the workers (a measurement of the host) that leaves them the cores.
     */
    public static <T> T onThreadOfItsOwn(Supplier<T> work) {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                useOnThisThread(perWorker());
                result.set(work.get());
            } catch (RuntimeException e) {
                failure.set(e);
            }
        }, "braid-parallel-" + Thread.currentThread().getName());
        thread.start();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + thread.getName(), e);
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        return result.get();
    }
}
