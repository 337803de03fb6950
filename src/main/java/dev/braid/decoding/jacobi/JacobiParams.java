package dev.braid.decoding.jacobi;

/**
 * Jacobi decoding's shape: {@code blockSize} guessed tokens refined per step (n). Block size 1 is
 * plain autoregressive decoding with one wasted guess.
 */
public record JacobiParams(int blockSize) {

    public static final int MAX_BLOCK_SIZE = 64;

    /**
     * From bench runs at concurrency 1 on 2 CPU cores: on a random 25M Llama (which falls into loops
     * Jacobi can ride) blocks of 2, 4, 8, 16 gave compression 1.33, 1.53, 1.72, 2.21 but 16 doubled the
     * step time; 8 was the fastest (about 1.3× AR). On llama-tiny no block size beats AR (compression
     * 1.02–1.05), as expected of a model that was not CLLM-trained.
     */
    public static final JacobiParams DEFAULT = new JacobiParams(8);

    public JacobiParams {
        if (blockSize < 1 || blockSize > MAX_BLOCK_SIZE) {
            throw new IllegalArgumentException("jacobi block_size must be between 1 and " + MAX_BLOCK_SIZE
                    + ", got " + blockSize);
        }
    }
}
