package dev.braid.model;

/**
 * Rotary settings as found in {@code config.json}. Transformers 5 nests them under
 * {@code rope_parameters}; earlier versions put {@code rope_theta} and {@code rope_scaling} at
 * the top level. Hub checkpoints use both, so both are read.
 */
record RopeSettings(double theta, RopeScaling scaling) {

    static final double DEFAULT_THETA = 10_000.0;

    static RopeSettings parse(JsonFields config) {
        JsonFields parameters = config.objectOrNull("rope_parameters");
        if (parameters != null) {
            double theta = parameters.has("rope_theta")
                    ? theta(parameters)
                    : theta(config);
            return new RopeSettings(theta, scaling(parameters));
        }
        JsonFields legacy = config.objectOrNull("rope_scaling");
        return new RopeSettings(theta(config), legacy == null ? RopeScaling.none() : scaling(legacy));
    }

    private static double theta(JsonFields fields) {
        double theta = fields.doubleOr("rope_theta", DEFAULT_THETA);
        if (!(theta > 0) || Double.isInfinite(theta)) {
            throw fields.error("rope_theta", "must be a positive number (got " + theta + ")");
        }
        return theta;
    }

    private static RopeScaling scaling(JsonFields fields) {
        // Older configs spell the key "type"; newer ones "rope_type". Report whichever was used.
        String typeField = fields.has("rope_type") || !fields.has("type") ? "rope_type" : "type";
        String typeName = fields.stringOr(typeField, RopeScaling.Type.DEFAULT.hfName());
        RopeScaling.Type type = RopeScaling.Type.fromHfName(typeName);
        if (type == null) {
            throw fields.error(typeField, "is \"" + typeName + "\", which is not supported (supported: default, linear, llama3)");
        }
        return switch (type) {
            case DEFAULT -> RopeScaling.none();
            case LINEAR -> RopeScaling.linear(positive(fields, "factor"));
            case LLAMA3 -> llama3(fields);
        };
    }

    private static RopeScaling llama3(JsonFields fields) {
        double factor = positive(fields, "factor");
        double low = positive(fields, "low_freq_factor");
        double high = positive(fields, "high_freq_factor");
        if (!(high > low)) {
            throw fields.error("high_freq_factor", "(" + high + ") must be greater than low_freq_factor (" + low + ")");
        }
        int original = fields.requireInt("original_max_position_embeddings");
        if (original <= 0) {
            throw fields.error("original_max_position_embeddings", "must be positive (got " + original + ")");
        }
        return RopeScaling.llama3(factor, low, high, original);
    }

    private static double positive(JsonFields fields, String name) {
        double value = fields.requireDouble(name);
        if (!(value > 0) || Double.isInfinite(value)) {
            throw fields.error(name, "must be a positive number (got " + value + ")");
        }
        return value;
    }
}
