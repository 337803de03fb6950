package dev.braid.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** The packed copies of a model's product weights: made on request, kept only while a range uses them. */
class PackedProductsTest {

    @Test
    void packedCopiesAreFreedWhenNoRangeChoseThem() {
        try (LoadedModel model = LoadedModel.load(ReferenceCase.FIXTURES.resolve("llama-tiny"), Device.cpu())) {
            Transformer transformer = model.transformer();
            assertThat(transformer.packedBytes()).as("nothing packed before it is asked").isZero();
            assertThat(transformer.packProducts()).isTrue();
            // every product matrix once, in float32: all the streamed weights but the norms
            assertThat(transformer.packedBytes()).isPositive().isLessThanOrEqualTo(transformer.streamedWeightBytes());

            transformer.productMethod(ProductRows.FEW, true, ProductMethod.PACKED);
            transformer.dropUnusedPackedProducts();
            assertThat(transformer.packedBytes()).as("kept: one range on several threads uses them").isPositive();

            transformer.productMethod(ProductRows.FEW, true, ProductMethod.ROWS_FIRST);
            transformer.dropUnusedPackedProducts();
            assertThat(transformer.packedBytes()).as("freed: no range uses them").isZero();
            assertThat(transformer.packProducts()).as("and made again on request").isTrue();
            assertThat(transformer.packedBytes()).isPositive();
        }
    }

    @Test
    void aPackedCopyIsCheckedAgainstRowsFirst() {
        try (LoadedModel model = LoadedModel.load(ReferenceCase.FIXTURES.resolve("llama-tiny"), Device.cpu());
             NDManager manager = NDManager.newBaseManager()) {
            Transformer transformer = model.transformer();
            NDArray weight = manager.randomNormal(new Shape(512, 64));
            NDArray other = manager.randomNormal(new Shape(512, 64));
            assertThat(transformer.packedAgrees(weight, other)).as("the products of another matrix").isFalse();
        }
    }
}
