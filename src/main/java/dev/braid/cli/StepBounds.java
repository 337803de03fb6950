package dev.braid.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.braid.model.CpuThreads;
import dev.braid.model.ModelConfig;
import dev.braid.model.StepProfile;
import dev.braid.model.Transformer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The two physical limits of the steps a bench row ran, so each figure says how far it is from
 * what the host allows: the memory bound (the weights every step streams, plus the cached K/V it
 * reads, at the host's measured memory bandwidth) and the compute bound (the step's multiply-adds
 * at the measured matrix-product throughput). The bandwidth is measured on a buffer of the weights'
 * size, read and written in place (no fresh pages to fault in), so a model that stays in cache
 * between steps gets the cache's bandwidth, as its steps do.
 */
final class StepBounds {

    /** What the host measured: memory bandwidth (bytes read plus written) and float32 matmul throughput. */
    record Host(double memoryGbPerSecond, double matmulGflopPerSecond) {

        Map<String, Object> report() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("memory_gb_per_second", BenchReport.round(memoryGbPerSecond));
            out.put("matmul_gflop_per_second", BenchReport.round(matmulGflopPerSecond));
            return out;
        }
    }

    private static final int TRIES = 5;
    private static final int MATMUL_SIZE = 1024;

    private StepBounds() {
    }

    /** Measures the host on {@code model}'s device, best of a few tries, on the threads of a parallel step. */
    static Host measure(Transformer model) {
        return CpuThreads.inParallel(() -> measureHere(model));
    }

    private static Host measureHere(Transformer model) {
        try (NDManager manager = model.newScratchManager()) {
            long elements = Math.max(1 << 21, model.streamedWeightBytes() / Float.BYTES);
            NDArray buffer = manager.ones(new Shape(elements), DataType.FLOAT32);
            double memorySeconds = best(() -> buffer.muli(1f));
            NDArray a = manager.ones(new Shape(MATMUL_SIZE, MATMUL_SIZE), DataType.FLOAT32);
            double matmulSeconds = best(() -> a.matMul(a).close());
            double flops = 2.0 * MATMUL_SIZE * MATMUL_SIZE * MATMUL_SIZE;
            return new Host(2.0 * elements * Float.BYTES / memorySeconds / 1e9, flops / matmulSeconds / 1e9);
        }
    }

    private static double best(Runnable op) {
        double best = Double.MAX_VALUE;
        for (int i = 0; i < TRIES; i++) {
            long start = System.nanoTime();
            op.run();
            best = Math.min(best, (System.nanoTime() - start) / 1e9);
        }
        return best;
    }

    /**
     * A row's bounds in ms per step and {@code step_vs_bound}, its measured step over the larger
     * bound (1 is the limit).
     */
    static Map<String, Object> row(Transformer model, Host host, StepProfile.Totals steps, double msPerStep) {
        ModelConfig c = model.config();
        double n = Math.max(1, steps.steps());
        double kvBytesPerRow = 2.0 * c.numLayers() * c.numKvHeads() * c.headDim() * Float.BYTES;
        double bytes = model.streamedWeightBytes() + kvBytesPerRow * steps.contextRows() / n;
        double flops = 2.0 * model.streamedParameters() * steps.tokens() / n
                + 4.0 * c.numLayers() * c.numHeads() * c.headDim() * steps.attendedPairs() / n;
        double memoryMs = bytes / (host.memoryGbPerSecond() * 1e9) * 1e3;
        double computeMs = flops / (host.matmulGflopPerSecond() * 1e9) * 1e3;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("memory_bound_ms", BenchReport.round(memoryMs, 3));
        out.put("compute_bound_ms", BenchReport.round(computeMs, 3));
        out.put("step_vs_bound", BenchReport.round(msPerStep / Math.max(memoryMs, computeMs)));
        return out;
    }
}
