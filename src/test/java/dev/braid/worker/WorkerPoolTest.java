package dev.braid.worker;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

/** Workers are named for their device as braid.engine.devices spells it, not as DJL prints it. */
class WorkerPoolTest {

    @Test
    void deviceNamesReadAsTheConfigurationWritesThem() {
        assertThat(WorkerPool.deviceName(Device.cpu())).isEqualTo("cpu");
        assertThat(WorkerPool.deviceName(Device.gpu(1))).isEqualTo("gpu:1");
    }
}
