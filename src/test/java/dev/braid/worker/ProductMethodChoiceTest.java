package dev.braid.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.model.ProductMethod;
import org.junit.jupiter.api.Test;

class ProductMethodChoiceTest {

    @Test
    void theAlternativeOnlyWhereItRanClearlyFaster() {
        assertThat(DeviceWorker.productMethod(ProductMethod.WEIGHTS_FIRST, 41.1, 66.4)).isEqualTo(ProductMethod.ROWS_FIRST);
        assertThat(DeviceWorker.productMethod(ProductMethod.WEIGHTS_FIRST, 49.3, 28.0)).isEqualTo(ProductMethod.WEIGHTS_FIRST);
        assertThat(DeviceWorker.productMethod(ProductMethod.WEIGHT_SLABS, 68.5, 44.1)).isEqualTo(ProductMethod.WEIGHT_SLABS);
    }

    @Test
    void aGainWithinNoiseKeepsPyTorchsOwnOrder() {
        assertThat(DeviceWorker.productMethod(ProductMethod.WEIGHT_SLABS, 10.0, 9.5)).isEqualTo(ProductMethod.ROWS_FIRST);
        assertThat(DeviceWorker.productMethod(ProductMethod.WEIGHT_SLABS, 10.0, 8.9)).isEqualTo(ProductMethod.WEIGHT_SLABS);
    }
}
