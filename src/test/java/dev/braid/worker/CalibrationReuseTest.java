package dev.braid.worker;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.braid.model.LoadedModel;
import dev.braid.model.ReferenceCase;
import dev.braid.model.WeightDtype;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** A worker whose model has the shape of one calibrated before in this process takes that calibration over. */
class CalibrationReuseTest {

    @Test
    void aWorkerOfAShapeCalibratedBeforeTakesThatCalibrationOver() throws Exception {
        WorkerSettings settings = new WorkerSettings(2, 128, 4, 16);
        Calibration first;
        try (LoadedModel model = LoadedModel.load(ReferenceCase.FIXTURES.resolve("gpt2-tiny"), Device.cpu());
             DeviceWorker worker = new DeviceWorker("first", model.transformer(), settings)) {
            first = await(worker::calibration);
        }
        try (LoadedModel model = LoadedModel.load(ReferenceCase.FIXTURES.resolve("gpt2-tiny"), Device.cpu());
             DeviceWorker again = new DeviceWorker("again", model.transformer(), settings)) {
            assertThat(await(again::calibration)).isSameAs(first);
            assertThat(again.stepCost().curve()).extracting(StepCostModel.Point::tokens).contains(first.tokens()[0]);
        }
        // another precision is another shape: its steps are timed for it
        try (LoadedModel model = LoadedModel.load(ReferenceCase.FIXTURES.resolve("gpt2-tiny"), Device.cpu(), WeightDtype.BFLOAT16);
             DeviceWorker other = new DeviceWorker("bf16", model.transformer(), settings)) {
            assertThat(await(other::calibration)).isNotSameAs(first);
        }
    }

    private static Calibration await(Supplier<Calibration> calibration) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (calibration.get() == null && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(calibration.get()).as("calibration").isNotNull();
        return calibration.get();
    }
}
