package dev.braid.decoding.apar;

/**
 * How many branches of one APAR answer may decode at once, the answer's root included. A branch
 * that forks at the limit waits until one ends, so the limit trades steps for KV blocks without
 * changing the answer. It is soft: when every live branch waits to fork, the oldest fork opens.
 */
public record AparBranching(int maxLiveBranches) {

    public static final int MAX_LIVE_BRANCHES = 64;

    /**
     * Three: the root and two details. bench on braid-apar's list answers (four list prompts,
     * concurrency 1, 16-position blocks), limit: fewer steps than AR / the answer's peak KV against
     * the same answer held by one sequence: 3: 1.84x / 0.70; 4: 2.15x / 0.88; none: 2.41x / 0.92.
     * Without a limit every detail is written, and held, at once; three keeps both gains.
     */
    public static final AparBranching DEFAULT = new AparBranching(3);

    public AparBranching {
        if (maxLiveBranches < 1 || maxLiveBranches > MAX_LIVE_BRANCHES) {
            throw new IllegalArgumentException("apar max_live_branches must be between 1 and " + MAX_LIVE_BRANCHES
                    + ", got " + maxLiveBranches);
        }
    }
}
