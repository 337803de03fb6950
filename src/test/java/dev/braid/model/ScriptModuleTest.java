package dev.braid.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** The TorchScript archive Braid writes is one libtorch compiles and runs, with no Python. */
class ScriptModuleTest {

    @Test
    void aHalfPrecisionProductEqualsTheSameProductInDjlOnRoundedOperands() {
        try (NDManager manager = NDManager.newBaseManager();
             ScriptModule module = ScriptModule.load("Products.torchscript", "Products", manager)) {
            NDArray x = manager.create(new float[] {1.5f, -2.25f, 0.1f, 3f, 0.5f, -1f}, new Shape(2, 3));
            NDArray weight = manager.create(new float[] {0.5f, 1f, -1f, 2f, 0.3f, 0.25f}, new Shape(2, 3));
            NDArray bias = manager.create(new float[] {0.1f, -0.2f});

            NDArray half = module.call("narrow", weight, (long) WeightDtype.FLOAT16.scalarType());
            assertThat(half.getDataType()).isEqualTo(DataType.FLOAT16);
            NDArray out = module.call("linear", x, half, new NDArray[] {bias.toType(DataType.FLOAT16, false)});
            assertThat(out.getDataType()).isEqualTo(DataType.FLOAT32);
            NDArray expected = x.toType(DataType.FLOAT16, false).toType(DataType.FLOAT32, false)
                    .matMul(half.toType(DataType.FLOAT32, false).transpose()).add(bias);
            assertThat(out.getShape()).isEqualTo(new Shape(2, 2));
            assertThat(out.sub(expected).abs().max().getFloat()).isLessThan(2e-3f);

            NDArray noBias = module.call("linear", x, half, new NDArray[0]);
            assertThat(out.sub(noBias).sub(bias).abs().max().getFloat()).isLessThan(2e-3f);

            NDArray brain = module.call("narrow", weight, (long) WeightDtype.BFLOAT16.scalarType());
            // DJL 0.35.1 reads libtorch's bfloat16 back as a type it does not know
            assertThat(brain.getDataType()).isEqualTo(DataType.UNKNOWN);
            assertThat(module.call("linear", x, brain, new NDArray[0]).sub(noBias).abs().max().getFloat())
                    .isLessThan(0.05f);
        }
    }

    /** One row and three, with a bias and without, in float32 and in bfloat16 weights: the whole product's values. */
    @Test
    void aProductInOutputBlocksEqualsTheWholeProduct() {
        try (NDManager manager = NDManager.newBaseManager();
             ScriptModule module = ScriptModule.load("Products.torchscript", "Products", manager)) {
            NDArray weight = manager.randomUniform(-1f, 1f, new Shape(12, 8));
            NDArray bias = manager.randomUniform(-1f, 1f, new Shape(12));
            NDArray brain = module.call("narrow", weight, (long) WeightDtype.BFLOAT16.scalarType());
            for (int rows : new int[] {1, 3}) {
                NDArray x = manager.randomUniform(-1f, 1f, new Shape(rows, 8));
                NDArray whole = x.matMul(weight.transpose()).add(bias);
                for (long blocks : new long[] {2, 3, 4}) {
                    NDArray inBlocks = module.call("blocks", x, weight, blocks, new NDArray[] {bias});
                    assertThat(inBlocks.getShape()).isEqualTo(new Shape(rows, 12));
                    assertThat(inBlocks.sub(whole).abs().max().getFloat()).as("%d blocks, %d rows", blocks, rows)
                            .isLessThan(1e-5f);
                    assertThat(module.call("blocks", x, weight, blocks, new NDArray[0]).add(bias).sub(whole).abs().max()
                            .getFloat()).isLessThan(1e-5f);
                    NDArray halfBlocks = module.call("blocks", x, brain, blocks, new NDArray[0]);
                    assertThat(halfBlocks.getDataType()).isEqualTo(DataType.FLOAT32);
                    assertThat(halfBlocks.sub(module.call("linear", x, brain, new NDArray[0])).abs().max().getFloat())
                            .isLessThan(1e-2f);
                }
            }
        }
    }

    @Test
    void aMethodTheSourceLacksIsRefusedByName() {
        try (NDManager manager = NDManager.newBaseManager();
             ScriptModule module = ScriptModule.load("Products.torchscript", "Products", manager)) {
            assertThatThrownBy(() -> module.call("widen", manager.ones(new Shape(2))))
                    .hasMessageContaining("widen");
        }
    }

    @Test
    void aMissingResourceIsNamed() {
        try (NDManager manager = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> ScriptModule.load("Nothing.torchscript", "Nothing", manager))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("Nothing.torchscript");
        }
    }
}
