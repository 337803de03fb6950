package dev.braid.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.pytorch.jni.JniUtils;
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
    void theCountReachesPyTorchAndCannotChangeOnceApplied() {
        assertThat(CpuThreads.apply(0)).isEqualTo(ALL_CORES);
        assertThat(CpuThreads.perWorker()).isEqualTo(ALL_CORES);
        assertThat(JniUtils.getNumThreads()).as("the caller is no worker: one thread").isEqualTo(1);
        assertThat(CpuThreads.apply(ALL_CORES)).isEqualTo(ALL_CORES);
        assertThatThrownBy(() -> CpuThreads.apply(ALL_CORES + 1))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already runs with " + ALL_CORES);
        assertThat(CpuThreads.perWorker()).isEqualTo(ALL_CORES);
    }

    @Test
    void parallelWorkOffTheWorkersRunsOnAThreadOfItsOwnWithAWorkersThreads() {
        CpuThreads.apply(0);
        CpuThreads.offWorkers();
        String caller = Thread.currentThread().getName();
        String[] ranOn = new String[1];
        int threads = CpuThreads.onThreadOfItsOwn(() -> {
            ranOn[0] = Thread.currentThread().getName();
            return JniUtils.getNumThreads();
        });
        assertThat(threads).isEqualTo(ALL_CORES);
        assertThat(ranOn[0]).isNotEqualTo(caller);
        assertThat(JniUtils.getNumThreads()).as("the caller stays on one").isEqualTo(1);
        assertThatThrownBy(() -> CpuThreads.onThreadOfItsOwn(() -> {
            throw new IllegalArgumentException("bad shape");
        })).isInstanceOf(IllegalArgumentException.class).hasMessage("bad shape");
    }

    @Test
    void aWorkerThreadsChoiceStaysOnThatThreadAndWithinTheCount() throws Exception {
        CpuThreads.apply(0);
        CpuThreads.useOnThisThread(ALL_CORES);
        int[] seen = new int[2];
        Thread worker = new Thread(() -> {
            CpuThreads.useOnThisThread(1);
            seen[0] = JniUtils.getNumThreads();
            CpuThreads.useOnThisThread(ALL_CORES + 5);
            seen[1] = JniUtils.getNumThreads();
            CpuThreads.useOnThisThread(1);
        });
        worker.start();
        worker.join();
        assertThat(seen).containsExactly(1, ALL_CORES);
        assertThat(JniUtils.getNumThreads()).as("this thread's own choice").isEqualTo(ALL_CORES);
        CpuThreads.offWorkers();
    }
}
