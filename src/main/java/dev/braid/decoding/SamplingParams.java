package dev.braid.decoding;

/**
 * How the next token is chosen from logits. Temperature 0 is greedy; top-k 0 and top-p 1 disable
 * those filters. The seed makes sampling reproducible; null means one is drawn at random.
 */
public record SamplingParams(double temperature, int topK, double topP, Long seed) {

    public static final SamplingParams GREEDY = new SamplingParams(0, 0, 1, null);

    public SamplingParams {
        if (!(temperature >= 0) || temperature > 100) {
            throw new IllegalArgumentException("temperature must be between 0 and 100, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top_k must be 0 (off) or positive, got " + topK);
        }
        if (!(topP > 0) || topP > 1) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        }
    }

    public boolean greedy() {
        return temperature == 0;
    }
}
