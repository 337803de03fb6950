package dev.braid.model;

/**
 * How rotary inverse frequencies are derived from the base theta. Mirrors Hugging Face's
 * {@code rope_type} values that this project supports; anything else is refused at load time
 * because silently falling back to default RoPE would produce plausible-looking garbage.
 */
public record RopeScaling(
        Type type,
        double factor,
        double lowFreqFactor,
        double highFreqFactor,
        int originalMaxPositionEmbeddings) {

    public enum Type {
        DEFAULT("default"),
        LINEAR("linear"),
        LLAMA3("llama3");

        private final String hfName;

        Type(String hfName) {
            this.hfName = hfName;
        }

        public String hfName() {
            return hfName;
        }

        public static Type fromHfName(String name) {
            for (Type t : values()) {
                if (t.hfName.equals(name)) {
                    return t;
                }
            }
            return null;
        }
    }

    public RopeScaling {
        if (type == null) {
            throw new IllegalArgumentException("rope scaling type is required");
        }
        if (type != Type.DEFAULT && !(factor > 0)) {
            throw new IllegalArgumentException("rope scaling factor must be positive, got " + factor);
        }
        if (type == Type.LLAMA3) {
            if (!(lowFreqFactor > 0) || !(highFreqFactor > lowFreqFactor)) {
                throw new IllegalArgumentException("llama3 rope scaling needs 0 < low_freq_factor < high_freq_factor, got "
                        + lowFreqFactor + " and " + highFreqFactor);
            }
            if (originalMaxPositionEmbeddings <= 0) {
                throw new IllegalArgumentException("llama3 rope scaling needs a positive original_max_position_embeddings");
            }
        }
    }

    public static RopeScaling none() {
        return new RopeScaling(Type.DEFAULT, 1.0, 0, 0, 0);
    }

    public static RopeScaling linear(double factor) {
        return new RopeScaling(Type.LINEAR, factor, 0, 0, 0);
    }

    public static RopeScaling llama3(double factor, double lowFreqFactor, double highFreqFactor,
                                     int originalMaxPositionEmbeddings) {
        return new RopeScaling(Type.LLAMA3, factor, lowFreqFactor, highFreqFactor, originalMaxPositionEmbeddings);
    }

    /**
     * One inverse frequency per rotated pair ({@code headDim / 2} values), as Hugging Face computes
     * {@code inv_freq}. The base frequencies follow torch's float32 arithmetic step by step so that
     * positions far into the context rotate by the same angles as the reference implementation.
     */
    public float[] inverseFrequencies(int headDim, double theta) {
        if (headDim <= 0 || headDim % 2 != 0) {
            throw new IllegalArgumentException("head dimension must be positive and even, got " + headDim);
        }
        if (!(theta > 0)) {
            throw new IllegalArgumentException("rope theta must be positive, got " + theta);
        }
        float[] inv = baseFrequencies(headDim, theta);
        return switch (type) {
            case DEFAULT -> inv;
            case LINEAR -> divideAll(inv, (float) factor);
            case LLAMA3 -> llama3(inv);
        };
    }

    private static float[] baseFrequencies(int headDim, double theta) {
        float[] inv = new float[headDim / 2];
        for (int i = 0; i < inv.length; i++) {
            float exponent = (float) (2 * i) / (float) headDim;
            float power = (float) Math.pow(theta, exponent);
            inv[i] = 1.0f / power;
        }
        return inv;
    }

    private static float[] divideAll(float[] values, float divisor) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i] / divisor;
        }
        return out;
    }

    /**
     * Llama 3.1's context extension: long wavelengths (low frequencies) are slowed down by
     * {@code factor}, short ones are kept, and the band in between is blended linearly in
     * {@code contextLength / wavelength} so that the spectrum has no discontinuity.
     */
    private float[] llama3(float[] inv) {
        double lowFreqWavelen = originalMaxPositionEmbeddings / lowFreqFactor;
        double highFreqWavelen = originalMaxPositionEmbeddings / highFreqFactor;
        float[] out = new float[inv.length];
        for (int i = 0; i < inv.length; i++) {
            double wavelen = 2 * Math.PI / inv[i];
            if (wavelen < highFreqWavelen) {
                out[i] = inv[i];
            } else if (wavelen > lowFreqWavelen) {
                out[i] = (float) (inv[i] / factor);
            } else {
                double smooth = (originalMaxPositionEmbeddings / wavelen - lowFreqFactor)
                        / (highFreqFactor - lowFreqFactor);
                out[i] = (float) ((1 - smooth) * inv[i] / factor + smooth * inv[i]);
            }
        }
        return out;
    }
}
