package dev.braid.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.model.ProductMethod;
import org.junit.jupiter.api.Test;

class ProductMethodChoiceTest {

    @Test
    void packedOnlyWhereItRanClearlyFaster() {
        assertThat(DeviceWorker.productMethod(39.38, 42.30)).isEqualTo(ProductMethod.ROWS_FIRST);
        assertThat(DeviceWorker.productMethod(166.43, 86.92)).isEqualTo(ProductMethod.PACKED);
    }

    @Test
    void aGainWithinNoiseKeepsPyTorchsOwnOrder() {
        assertThat(DeviceWorker.productMethod(10.0, 9.5)).isEqualTo(ProductMethod.ROWS_FIRST);
        assertThat(DeviceWorker.productMethod(10.0, 8.9)).isEqualTo(ProductMethod.PACKED);
    }
}
