package dev.braid.decoding.sgd;

/** Turns SGD's prompt text into the model's token ids; the model's tokenizer implements it. */
@FunctionalInterface
interface PromptEncoder {

    /** {@code addSpecialTokens} adds what the tokenizer puts around a whole input, e.g. BOS. */
    int[] encode(String text, boolean addSpecialTokens);
}
