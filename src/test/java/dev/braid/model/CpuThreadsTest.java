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
        assertThat(JniUtils.getNumThreads()).isEqualTo(ALL_CORES);
        assertThat(CpuThreads.apply(ALL_CORES)).isEqualTo(ALL_CORES);
        assertThatThrownBy(() -> CpuThreads.apply(ALL_CORES + 1))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already runs with " + ALL_CORES);
        assertThat(JniUtils.getNumThreads()).isEqualTo(ALL_CORES);
    }

    @Test
    void aWorkerThreadsChoiceStaysOnThatThreadAndWithinTheCount() throws Exception {
        CpuThreads.apply(0);
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
        assertThat(JniUtils.getNumThreads()).isEqualTo(ALL_CORES);
    }
}
