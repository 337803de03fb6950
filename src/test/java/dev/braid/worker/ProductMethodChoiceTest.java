package dev.braid.worker;

import static dev.braid.model.ProductMethod.OUTPUT_BLOCKS;
import static dev.braid.model.ProductMethod.PACKED;
import static dev.braid.model.ProductMethod.ROWS_FIRST;
import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.model.ProductMethod;
import dev.braid.model.ProductRows;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProductMethodChoiceTest {

    private static final List<ProductMethod> TWO = List.of(ROWS_FIRST, PACKED);
    private static final List<ProductMethod> THREE = List.of(ROWS_FIRST, PACKED, OUTPUT_BLOCKS);

    @Test
    void packedOnlyWhereItRanClearlyFaster() {
        assertThat(DeviceWorker.productMethod(TWO, new double[] {39.38, 42.30})).isEqualTo(ROWS_FIRST);
        assertThat(DeviceWorker.productMethod(TWO, new double[] {166.43, 86.92})).isEqualTo(PACKED);
    }

    @Test
    void aGainWithinNoiseKeepsPyTorchsOwnOrder() {
        assertThat(DeviceWorker.productMethod(TWO, new double[] {10.0, 9.5})).isEqualTo(ROWS_FIRST);
        assertThat(DeviceWorker.productMethod(TWO, new double[] {10.0, 8.9})).isEqualTo(PACKED);
        assertThat(DeviceWorker.productMethod(THREE, new double[] {10.0, 9.5, 9.2})).isEqualTo(ROWS_FIRST);
    }

    @Test
    void theFastestOfSeveralClearlyFasterMethodsWins() {
        assertThat(DeviceWorker.productMethod(THREE, new double[] {35.19, 28.12, 23.76})).isEqualTo(OUTPUT_BLOCKS);
        assertThat(DeviceWorker.productMethod(THREE, new double[] {35.19, 23.76, 28.12})).isEqualTo(PACKED);
        assertThat(DeviceWorker.productMethod(THREE, new double[] {35.19, 36.0, 30.0})).isEqualTo(OUTPUT_BLOCKS);
    }

    @Test
    void outputBlocksAreTimedOnlyForOneRowOnSeveralThreads() {
        assertThat(ProductMethod.candidates(ProductRows.ONE, 2)).containsExactly(ROWS_FIRST, PACKED, OUTPUT_BLOCKS);
        assertThat(ProductMethod.candidates(ProductRows.ONE, 1)).containsExactly(ROWS_FIRST, PACKED);
        assertThat(ProductMethod.candidates(ProductRows.FEW, 2)).containsExactly(ROWS_FIRST, PACKED);
    }
}
