package dev.braid.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.api.Test;

class CpuThreadsTest {

    private static final int HALF_THE_CORES = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);

    @Test
    void zeroMeansHalfTheCoresAndAnExplicitCountIsKept() {
        assertThat(CpuThreads.resolve(0)).isEqualTo(HALF_THE_CORES);
        assertThat(CpuThreads.resolve(3)).isEqualTo(3);
        assertThatThrownBy(() -> CpuThreads.resolve(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cpu-threads");
    }

    @Test
    void theCountReachesPyTorchAndCannotChangeOnceApplied() {
        assertThat(CpuThreads.apply(0)).isEqualTo(HALF_THE_CORES);
        assertThat(JniUtils.getNumThreads()).isEqualTo(HALF_THE_CORES);
        assertThat(CpuThreads.apply(HALF_THE_CORES)).isEqualTo(HALF_THE_CORES);
        assertThatThrownBy(() -> CpuThreads.apply(HALF_THE_CORES + 1))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already runs with " + HALF_THE_CORES);
        assertThat(JniUtils.getNumThreads()).isEqualTo(HALF_THE_CORES);
    }
}
