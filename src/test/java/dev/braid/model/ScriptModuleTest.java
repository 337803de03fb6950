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
             ScriptModule module = ScriptModule.load("HalfPrecision.torchscript", "HalfPrecision", manager)) {
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

    @Test
    void aMethodTheSourceLacksIsRefusedByName() {
        try (NDManager manager = NDManager.newBaseManager();
             ScriptModule module = ScriptModule.load("HalfPrecision.torchscript", "HalfPrecision", manager)) {
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
