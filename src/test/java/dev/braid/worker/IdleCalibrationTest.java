package dev.braid.worker;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.braid.model.LoadedModel;
import dev.braid.model.ReferenceCase;
import org.junit.jupiter.api.Test;

/** An idle worker times small steps again, holding no KV while it does, and stops at its bound. */
class IdleCalibrationTest {

    @Test
    void anIdleWorkerRefinesItsSmallStepsWithoutHoldingBlocks() throws Exception {
        try (LoadedModel model = LoadedModel.load(ReferenceCase.FIXTURES.resolve("llama-tiny"), Device.cpu());
             DeviceWorker worker = new DeviceWorker("idle", model.transformer(), new WorkerSettings(1, 256, 4, 16))) {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (worker.idleCalibrations() < 3 && System.nanoTime() < deadline) {
                assertThat(worker.stats().usedBlocks()).isZero();
                Thread.sleep(20);
            }
            assertThat(worker.idleCalibrations()).isGreaterThanOrEqualTo(3);
            assertThat(worker.stepCost().curve()).extracting(StepCostModel.Point::tokens).contains(1, 2, 4);
        }
    }
}
