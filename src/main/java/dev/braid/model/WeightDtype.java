package dev.braid.model;

import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import java.util.Locale;

/**
 * The precision a model's weight matrices are held and multiplied in ({@code braid.engine.dtype}).
 * Norms, embeddings, attention and the residual stream stay float32 whatever it is: only the
 * matrix products, which hold nearly all the weights, change precision. Half-precision products
 * run in libtorch through {@code Products.torchscript}: DJL 0.35.1's own operations abort the
 * JVM when they cast to bfloat16.
 */
public enum WeightDtype {

    FLOAT32("float32", DataType.FLOAT32, 6),
    /** Half the bytes per weight; activations are rounded to float16 for each product and widened after. */
    FLOAT16("float16", DataType.FLOAT16, 5),
    /**
     * Half the bytes per weight with float32's range, the precision most checkpoints ship in;
     * activations are rounded to bfloat16 for each product and widened after.
     */
    BFLOAT16("bfloat16", DataType.BFLOAT16, 15);

    private final String key;
    private final DataType type;
    /** libtorch's {@code ScalarType} number for it. */
    private final int scalarType;

    WeightDtype(String key, DataType type, int scalarType) {
        this.key = key;
        this.type = type;
        this.scalarType = scalarType;
    }

    public String key() {
        return key;
    }

    DataType type() {
        return type;
    }

    int scalarType() {
        return scalarType;
    }

    /** {@code float32}, {@code float16} or {@code bfloat16}; anything else is refused, naming those. */
    public static WeightDtype parse(String name) {
        String wanted = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (WeightDtype dtype : values()) {
            if (dtype.key.equals(wanted)) {
                return dtype;
            }
        }
        throw new IllegalArgumentException("dtype '" + name + "' is not one of " + keys());
    }

    /** Every precision's key, in declaration order: "float32, float16, bfloat16". */
    static String keys() {
        return String.join(", ", Arrays.stream(values()).map(WeightDtype::key).toList());
    }
}
