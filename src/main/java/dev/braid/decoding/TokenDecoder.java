package dev.braid.decoding;

/** Turns generated ids back into text, for stop strings; the model's tokenizer implements it. */
@FunctionalInterface
public interface TokenDecoder {
    String decode(int[] tokenIds);
}
