package dev.braid.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * How many cores PyTorch's CPU kernels may use, and the one thread that uses more than one. Set once,
 * before any model runs; by default all the host's cores. A worker runs a step on its own thread, on
 * one core, or hands it to the process's {@linkplain #inParallel parallel thread}, which runs ops on
 * all of these cores ({@code StepThreads}, measured at load, decides by the step's query tokens): a
 * step of a few tokens is a few hundred small ops, where waking a second thread costs more than it
 * saves, and only large steps (prefills, big batches) fan out.
 *
 * <p>One thread goes parallel for the whole process, whatever the number of workers, because every
 * thread that runs an op on several threads keeps a pool of OpenMP threads for as long as it lives.
 * Once libgomp manages more threads than the host has cores, its idle threads stop spinning between
 * ops, and every op of a parallel step waits for its pool to wake: beside the pools of a few other
 * workers, two-thread steps lost what they had gained over one thread (README, Performance). Large
 * steps of several workers are thus taken in turn, which on a CPU host they would be in effect anyway.
 */
public final class CpuThreads {

    /** The setting that asks for all the host's cores: the default. */
    public static final int ALL_CORES = 0;

    /** The property names DJL's PyTorch engine reads when it loads. */
    private static final String INTRA_OP = "ai.djl.pytorch.num_threads";
    private static final String INTER_OP = "ai.djl.pytorch.num_interop_threads";

    private static volatile Integer applied;
    /** What {@link #useOnThisThread} last set on each thread: PyTorch keeps it per thread and does not say. */
    private static final ThreadLocal<Integer> onThisThread = new ThreadLocal<>();
    private static final Object PARALLEL_START = new Object();
    private static ExecutorService parallel;
    private static volatile Thread parallelThread;

    private CpuThreads() {
    }

    /** The threads a parallel step runs on: what {@link #apply} set, or the default's count before it ran. */
    public static int parallelThreads() {
        return applied != null ? applied : resolve(ALL_CORES);
    }

    /**
     * Runs the calling thread's following ops on {@code threads} threads (at most {@link
     * #parallelThreads}); only the parallel thread runs on more than one. PyTorch keeps the count
     * per thread, but a thread's first op sets it again to the count last set on any thread; that
     * first op runs here, so that no count set elsewhere later reaches this thread.
     */
    static void useOnThisThread(int threads) {
        if (onThisThread.get() == null) {
            // the count is set through the engine's native library, which may not have loaded yet
            Engine engine = Engine.getEngine("PyTorch");
            try (NDManager manager = engine.newBaseManager(Device.cpu())) {
                // softmax asks for the thread count, which is what starts a thread's count
                manager.ones(new Shape(1, 2)).softmax(-1);
            }
        }
        int used = Math.max(1, Math.min(threads, parallelThreads()));
        JniUtils.setNumThreads(used);
        onThisThread.set(used);
    }

    /** The threads the calling thread's ops run on: what {@link #useOnThisThread} set, else one, as every thread but the parallel one. */
    static int onThisThread() {
        Integer used = onThisThread.get();
        return used != null ? used : 1;
    }

    /** {@code configured}, or for 0 the host's cores. */
    public static int resolve(int configured) {
        if (configured < 0) {
            throw new IllegalArgumentException("cpu-threads must be 0 (all cores) or positive, got " + configured);
        }
        return configured > 0 ? configured : Runtime.getRuntime().availableProcessors();
    }

    /**
     * Sets the threads of parallel steps for this process and loads the engine, its freed memory kept
     * for reuse ({@link NativeHeap}), every thread but the parallel one on one thread. A second call
     * with another count is refused: the parallel thread keeps the first one.
     *
     * @return the count in force
     */
    public static synchronized int apply(int configured) {
        int threads = resolve(configured);
        if (applied != null) {
            if (applied != threads) {
                throw new IllegalStateException("PyTorch already runs parallel steps on " + applied
                        + " CPU threads in this process; " + threads + " cannot take effect");
            }
            return threads;
        }
        NativeHeap.keepFreedMemory();
        // threads that never choose start on the count the engine sets, and so on one
        System.setProperty(INTRA_OP, "1");
        System.setProperty(INTER_OP, "1");
        applied = threads;
        // the engine may have loaded before this call, with another count: the caller's is set again
        stayOnOneThread();
        return threads;
    }

    /** Runs the calling thread's ops on one thread: every thread does but the parallel one. */
    public static void stayOnOneThread() {
        useOnThisThread(1);
    }

    /**
     * {@code work}, run on the process's parallel thread with {@link #parallelThreads} threads, the
     * caller waiting for it; inline where that is one thread or the caller is the parallel thread.
     * What {@code work} throws is thrown here. An interrupt does not end the wait (the work may use
     * the caller's tensors); it is kept for the caller to see once the work is done.
     */
    public static <T> T inParallel(Supplier<T> work) {
        if (parallelThreads() == 1 || Thread.currentThread() == parallelThread) {
            return work.get();
        }
        Future<T> done = parallel().submit(work::get);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return done.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException failure) {
                        throw failure;
                    }
                    if (e.getCause() instanceof Error failure) {
                        throw failure;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The parallel thread's executor, started on first use. */
    private static ExecutorService parallel() {
        synchronized (PARALLEL_START) {
            return parallel != null ? parallel : startParallel();
        }
    }

    private static ExecutorService startParallel() {
        ExecutorService executor = Executors.newSingleThreadExecutor(work -> {
            Thread thread = new Thread(work, "braid-parallel");
            thread.setDaemon(true);
            return thread;
        });
        int threads = parallelThreads();
        try {
            executor.submit(() -> {
                parallelThread = Thread.currentThread();
                useOnThisThread(threads);
            }).get();
        } catch (InterruptedException | ExecutionException e) {
            executor.shutdownNow();
            throw new IllegalStateException("the parallel CPU thread did not start", e);
        }
        // threads whose first op comes later start on the count last set: one again (the caller is not
        // the parallel thread, so on one itself)
        useOnThisThread(1);
        parallel = executor;
        return executor;
    }
}
