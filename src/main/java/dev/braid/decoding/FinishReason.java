package dev.braid.decoding;

/** Why a sequence ended; the OpenAI names are what the API reports. */
public enum FinishReason {
    /** An end-of-sequence token or a stop string. */
    STOP("stop"),
    /** The max-new-tokens budget or the model's context ran out. */
    LENGTH("length"),
    CANCELLED("cancelled"),
    ERROR("error");

    private final String openAiName;

    FinishReason(String openAiName) {
        this.openAiName = openAiName;
    }

    public String openAiName() {
        return openAiName;
    }
}
