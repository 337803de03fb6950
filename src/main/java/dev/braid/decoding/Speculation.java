package dev.braid.decoding;

/**
 * What a request's guesses did, counted as vLLM counts speculative decoding, so its dashboards'
 * queries carry over: a draft is a step in which a sequence fed guesses for verification (Jacobi's
 * block, lookahead's verified candidates), draft tokens are the guessed tokens fed, accepted tokens
 * those of them that became part of the answer.
 *
 * @param budget the guessed tokens the last step fed, 0 if it ran plain: where the price left it
 */
public record Speculation(long drafts, long draftTokens, long acceptedTokens, int budget) {

    public static final Speculation NONE = new Speculation(0, 0, 0, 0);

    /** Tokens a draft step yields on average, the model's own token included (vLLM's mean acceptance length). */
    public double meanAcceptanceLength() {
        return drafts == 0 ? 0 : 1 + (double) acceptedTokens / drafts;
    }

    /** Both sequences' counts; the budget of the later one. */
    public Speculation plus(Speculation other) {
        return new Speculation(drafts + other.drafts, draftTokens + other.draftTokens,
                acceptedTokens + other.acceptedTokens, other.budget);
    }
}
