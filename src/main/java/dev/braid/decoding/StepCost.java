package dev.braid.decoding;

/** What a forward step costs on the device that runs it, as a function of its query tokens. */
@FunctionalInterface
public interface StepCost {

    /** Expected milliseconds of a step that carries {@code tokens} query tokens in all. */
    double millis(int tokens);

    /**
     * What a step pays, beyond its tokens, for each query length its sequences do not share: such a
     * sequence runs its attention as a batch of its own.
     */
    default double groupMillis() {
        return 0;
    }

    /**
     * What a step adds for each of its query tokens per token of cached context that token attends
     * over, beyond what {@link #millis} prices: a token guessed deep into a long conversation costs
     * more than one guessed early in a short one.
     */
    default double contextMillis() {
        return 0;
    }

    /**
     * What a step of {@code tokens} query tokens pays beyond {@link #millis} for following a step of
     * {@code lastTokens}: on a CPU, steps of some sizes multiply a packed copy of the weights, and the
     * first step on one copy after steps on the other reads its weights from memory, not the cache. So
     * a guess after plain steps costs more than the same guess in a run of guessing steps.
     */
    default double switchMillis(int lastTokens, int tokens) {
        return 0;
    }

    /**
     * What {@code live} prices now, kept: steps of up to {@code upTo} tokens as it prices them,
     * longer ones extended along its last token's cost, while {@code live} goes on learning.
     */
    static StepCost snapshot(StepCost live, int upTo) {
        double[] millis = new double[upTo + 1];
        for (int tokens = 1; tokens <= upTo; tokens++) {
            millis[tokens] = live.millis(tokens);
        }
        double slope = upTo > 1 ? millis[upTo] - millis[upTo - 1] : 0;
        double group = live.groupMillis();
        double context = live.contextMillis();
        return new StepCost() {
            @Override
            public double millis(int tokens) {
                int clamped = Math.max(1, tokens);
                return clamped <= upTo ? millis[clamped] : millis[upTo] + slope * (clamped - upTo);
            }

            @Override
            public double groupMillis() {
                return group;
            }

            @Override
            public double contextMillis() {
                return context;
            }

            @Override
            public double switchMillis(int lastTokens, int tokens) {
                return live.switchMillis(lastTokens, tokens);
            }
        };
    }
}
