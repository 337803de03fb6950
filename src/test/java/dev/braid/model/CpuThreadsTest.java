package dev.braid.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class CpuThreadsTest {

    private static final int ALL_CORES = Runtime.getRuntime().availableProcessors();

    @Test
    void zeroMeansAllCoresAndAnExplicitCountIsKept() {
        assertThat(CpuThreads.resolve(0)).isEqualTo(ALL_CORES);
        assertThat(CpuThreads.resolve(3)).isEqualTo(3);
        assertThatThrownBy(() -> CpuThreads.resolve(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cpu-threads");
    }

    @Test
    void theCountReachesTheParallelThreadAndCannotChangeOnceApplied() {
        assertThat(CpuThreads.apply(0)).isEqualTo(ALL_CORES);
        assertThat(CpuThreads.parallelThreads()).isEqualTo(ALL_CORES);
        assertThat(JniUtils.getNumThreads()).as("the caller is not the parallel thread: one thread").isEqualTo(1);
        assertThat(CpuThreads.inParallel(JniUtils::getNumThreads)).isEqualTo(ALL_CORES);
        assertThat(CpuThreads.apply(ALL_CORES)).isEqualTo(ALL_CORES);
        assertThatThrownBy(() -> CpuThreads.apply(ALL_CORES + 1))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("on " + ALL_CORES + " CPU threads");
        assertThat(CpuThreads.parallelThreads()).isEqualTo(ALL_CORES);
    }

    @Test
    void everyCallersParallelWorkRunsOnTheOneParallelThread() throws Exception {
        assumeThat(ALL_CORES).as("one core has no parallel thread").isGreaterThan(1);
        CpuThreads.apply(0);
        String[] ranOn = new String[2];
        ranOn[0] = CpuThreads.inParallel(() -> Thread.currentThread().getName());
        Thread other = new Thread(() -> ranOn[1] = CpuThreads.inParallel(() -> Thread.currentThread().getName()));
        other.start();
        other.join();
        assertThat(ranOn[0]).isEqualTo("braid-parallel").isEqualTo(ranOn[1]);
        assertThat(JniUtils.getNumThreads()).as("the caller stays on one").isEqualTo(1);
        assertThat(CpuThreads.inParallel(() -> CpuThreads.inParallel(() -> "inline"))).as("nested").isEqualTo("inline");
        assertThatThrownBy(() -> CpuThreads.inParallel(() -> {
            throw new IllegalArgumentException("bad shape");
        })).isInstanceOf(IllegalArgumentException.class).hasMessage("bad shape");
    }

    /**
     * PyTorch sets a thread's count again at its first op, to the count last set on any thread: a
     * worker put on one thread before it ran anything would otherwise go parallel, with a pool of its own.
     */
    @Test
    void aThreadPutOnOneStaysOnOneWhateverAnotherSetsBeforeItsFirstOp() throws Exception {
        assumeThat(ALL_CORES).as("one core has no other count").isGreaterThan(1);
        CpuThreads.apply(0);
        int[] seen = new int[1];
        CountDownLatch onOne = new CountDownLatch(1);
        CountDownLatch otherSet = new CountDownLatch(1);
        Thread worker = new Thread(() -> {
            CpuThreads.stayOnOneThread();
            onOne.countDown();
            await(otherSet);
            seen[0] = JniUtils.getNumThreads();
        });
        worker.start();
        onOne.await();
        Thread setter = new Thread(() -> CpuThreads.useOnThisThread(ALL_CORES));
        setter.start();
        setter.join();
        otherSet.countDown();
        worker.join();
        assertThat(seen[0]).isEqualTo(1);
    }

    /** The OS threads of this process: Linux lists them under /proc/self/task. */
    @Test
    void workersLargeProductsStartNoOpenMpThreadsOfTheirOwn() throws Exception {
        File tasks = new File("/proc/self/task");
        assumeThat(tasks.isDirectory()).as("a Linux process").isTrue();
        assumeThat(ALL_CORES).as("one core has no OpenMP threads").isGreaterThan(1);
        CpuThreads.apply(0);
        CpuThreads.inParallel(CpuThreadsTest::largeProduct);
        int workers = 3;
        CountDownLatch done = new CountDownLatch(workers);
        CountDownLatch counted = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            Thread worker = new Thread(() -> {
                CpuThreads.stayOnOneThread();
                largeProduct();
                CpuThreads.inParallel(CpuThreadsTest::largeProduct);
                done.countDown();
                await(counted);
            });
            threads.add(worker);
        }
        int before = tasks.list().length;
        threads.forEach(Thread::start);
        done.await();
        int during = tasks.list().length;
        counted.countDown();
        for (Thread worker : threads) {
            worker.join();
        }
        assertThat(during - before).as("the workers' own threads, and no OpenMP pool beside them").isEqualTo(workers);
    }

    private static float largeProduct() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            NDArray a = manager.randomNormal(new Shape(512, 512));
            return a.matMul(a).sum().getFloat();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
