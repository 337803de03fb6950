package dev.braid.decoding.apar;

/**
 * How many branches of one APAR answer may decode at once, the answer's root included. A branch
 * that forks at the limit waits until one ends, so the limit trades steps for KV blocks without
 * changing the answer. It is soft: when every live branch waits to fork, the oldest fork opens.
 */
public record AparBranching(int maxLiveBranches) {

    public static final int MAX_LIVE_BRANCHES = 64;

    /**
     * Four: the root and three details. bench on braid-apar's answers to the eight list prompts
     * (concurrency 1, one-position KV blocks), per limit: fewer steps than AR, speed to the full
     * answer, the answer's peak KV against the same answer held by one sequence: 2: 1.11x, 1.03x,
     * 0.46; 3: 1.77x, 1.35x, 0.57; 4: 2.11x, 1.56x (1.85x in a run of twice the requests), 0.63;
     * 5: 2.30x, 1.73x, 0.69; none: 2.33x, 1.77x, 0.69. Four keeps most of the speed at well under
     * 0.7 of the KV; a deployment short of KV asks for three per request.
     */
    public static final AparBranching DEFAULT = new AparBranching(4);

    public AparBranching {
        if (maxLiveBranches < 1 || maxLiveBranches > MAX_LIVE_BRANCHES) {
            throw new IllegalArgumentException("apar max_live_branches must be between 1 and " + MAX_LIVE_BRANCHES
                    + ", got " + maxLiveBranches);
        }
    }
}
