package dev.braid.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

@EnabledOnOs(OS.LINUX)
class NativeHeapTest {

    private static final int TENSORS = 40;
    private static final long FIRST_FLOATS = 1 << 20;
    private static final long GROWTH_FLOATS = 1 << 14;

    /**
     * Tensors of 4 MiB growing by 64 KiB, as a step's gathers grow with the context. Mapped anew each
     * time, every one faults all its 1,000-odd pages. Served from freed memory, the first few still
     * take fresh pages (each freed one is a little too small for the next, until freed neighbours
     * merge) and from then on a tensor faults at most its growth: under 100 pages.
     */
    @Test
    void tensorsGrowingStepByStepReuseFreedMemoryInsteadOfFaultingFreshPages() throws IOException {
        CpuThreads.apply(0);
        assertThat(NativeHeap.keepFreedMemory()).isTrue();
        try (NDManager manager = NDManager.newBaseManager()) {
            long before = 0;
            for (int i = 0; i < TENSORS; i++) {
                if (i == TENSORS / 2) {
                    before = minorFaults();
                }
                try (NDArray step = manager.zeros(new Shape(FIRST_FLOATS + i * GROWTH_FLOATS))) {
                    assertThat(step.getShape().size()).isEqualTo(FIRST_FLOATS + i * GROWTH_FLOATS);
                }
            }
            long faults = minorFaults() - before;
            assertThat(faults).as("page faults of the last %d tensors", TENSORS / 2).isLessThan(5_000);
        }
    }

    /** The process's minor page faults so far: field 10 of {@code /proc/self/stat}, after the command's closing parenthesis. */
    private static long minorFaults() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[7]);
    }
}
