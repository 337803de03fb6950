package dev.braid.model;

import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import java.util.Locale;

/**
 * The precision a model's weight matrices are held and multiplied in ({@code braid.engine.dtype}).
 * Norms, embeddings, attention and the residual stream stay float32 whatever it is: only the
 * matrix products, which hold nearly all the weights, change precision.
 */
public enum WeightDtype {

    FLOAT32("float32", DataType.FLOAT32),
    /** Half the bytes per weight; activations are rounded to float16 for each product and widened after. */
    FLOAT16("float16", DataType.FLOAT16);

    /** Weights as most CPUs multiply them fastest beyond one-token steps (README, Performance). */
    public static final WeightDtype DEFAULT = FLOAT32;

    private final String key;
    private final DataType type;

    WeightDtype(String key, DataType type) {
        this.key = key;
        this.type = type;
    }

    public String key() {
        return key;
    }

    DataType type() {
        return type;
    }

    /** {@code float32} or {@code float16}; anything else is refused with the reason. */
    public static WeightDtype parse(String name) {
        String wanted = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (WeightDtype dtype : values()) {
            if (dtype.key.equals(wanted)) {
                return dtype;
            }
        }
        if (wanted.equals("bfloat16")) {
            // DJL 0.35.1's PyTorch JNI maps no bfloat16 type: creating or casting to one aborts the JVM.
            throw new IllegalArgumentException("dtype bfloat16 is not available: the PyTorch engine Braid runs on "
                    + "(DJL 0.35.1) cannot create bfloat16 tensors; use float16 for half-size weights");
        }
        throw new IllegalArgumentException("dtype '" + name + "' is not one of "
                + String.join(", ", Arrays.stream(values()).map(WeightDtype::key).toList()));
    }
}
