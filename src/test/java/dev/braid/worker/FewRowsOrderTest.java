package dev.braid.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.model.ProductOrder;
import org.junit.jupiter.api.Test;

class FewRowsOrderTest {

    @Test
    void weightsGoFirstOnlyWhereThatRanClearlyFaster() {
        assertThat(DeviceWorker.fewRowsOrder(41.1, 66.4)).isEqualTo(ProductOrder.ROWS_FIRST);
        assertThat(DeviceWorker.fewRowsOrder(49.3, 28.0)).isEqualTo(ProductOrder.WEIGHTS_FIRST);
    }

    @Test
    void aGainWithinNoiseKeepsPyTorchsOwnOrder() {
        assertThat(DeviceWorker.fewRowsOrder(10.0, 9.5)).isEqualTo(ProductOrder.ROWS_FIRST);
        assertThat(DeviceWorker.fewRowsOrder(10.0, 8.9)).isEqualTo(ProductOrder.WEIGHTS_FIRST);
    }
}
