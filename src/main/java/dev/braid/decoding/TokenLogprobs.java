package dev.braid.decoding;

/**
 * The model's log-probability of one accepted token and of the {@code topIds.length} most likely
 * tokens at that position. Taken from the raw logits (before temperature and top-k/top-p), as
 * OpenAI reports them, so they describe the model rather than the sampler.
 */
public record TokenLogprobs(int tokenId, float logprob, int[] topIds, float[] topLogprobs) {

    /** Log-softmax of {@code logits} at {@code chosen}, and the {@code top} best entries, best first. */
    public static TokenLogprobs of(float[] logits, int chosen, int top) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        double logZ = max + Math.log(sum);
        int k = Math.min(Math.max(top, 0), logits.length);
        int[] ids = new int[k];
        float[] values = new float[k];
        // a partial selection: k is small (OpenAI caps it at 20), the vocabulary is large
        boolean[] taken = new boolean[k == 0 ? 0 : logits.length];
        for (int r = 0; r < k; r++) {
            int best = -1;
            for (int i = 0; i < logits.length; i++) {
                if (!taken[i] && (best < 0 || logits[i] > logits[best])) {
                    best = i;
                }
            }
            taken[best] = true;
            ids[r] = best;
            values[r] = (float) (logits[best] - logZ);
        }
        return new TokenLogprobs(chosen, (float) (logits[chosen] - logZ), ids, values);
    }
}
